"""Fixtures of the console's tests: the API tests' small world, and a large case file built on it."""

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from tests.api.conftest import World, as_user, world  # noqa: F401  (fixtures used here)
from tests.console.world import BigCase, build_case


@pytest.fixture()
def big_case(db: Engine, make_user: Callable[..., User]) -> Callable[..., BigCase]:
    """`big_case(parties=4, attempts=12, calls=3)`: a committed case file (world.build_case) in the world's
    court, its attempts performed by a new agent."""

    def make(**sizes: int) -> BigCase:
        agent = make_user(Role.agent, full_name="李娜")
        with database.get_session() as session:
            return build_case(session, agent=agent, **sizes)

    return make
