"""The portal's fixtures: parties with documents sent electronically (tests/portal/world.py)."""

from collections.abc import Callable

import pytest

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from tests.portal.world import PortalParty, portal_party


@pytest.fixture()
def make_party(make_user: Callable[..., User]) -> Callable[..., PortalParty]:
    agent = make_user(Role.agent)
    counter = iter(range(1, 10_000))

    def make(**fields: object) -> PortalParty:
        with database.get_session() as session:
            return portal_party(session, agent, number=next(counter), **fields)  # type: ignore[arg-type]

    return make
