"""Numbered pages of the deliveries list count exactly up to a limit; past it the total is PostgreSQL's
estimate (elsewhere "more than the limit"), marked not exact."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries import queries
from backend.deliveries.models import Delivery
from tests.api.conftest import World

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _add_deliveries(world: World, count: int) -> None:
    with database.get_session() as session:
        session.add_all(
            Delivery(case_id=world.civil_case_id, party_id=world.defendant_id, agent_group="民事组")
            for _ in range(count)
        )
        session.flush()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE delivery"))


def test_totals_are_exact_up_to_the_limit_then_estimated(
    client: TestClient, world: World, as_user: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "COUNT_LIMIT", 5)
    _add_deliveries(world, 60)
    _, headers = as_user(Role.supervisor)

    few = client.get("/api/deliveries", params={"agent_group": "none-such"}, headers=headers).json()
    assert (few["total"], few["total_exact"]) == (0, True)
    whole = client.get("/api/deliveries", params={"page_size": 10}, headers=headers).json()
    assert whole["total_exact"] is False and len(whole["items"]) == 10
    with database.get_session() as session:
        postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:  # the planner's estimate of the matches (61 or so), not a count
        assert 30 <= whole["total"] <= 120, whole["total"]
    else:  # no planner to ask: "more than 5"
        assert whole["total"] == 6
    by_cursor = client.get("/api/deliveries", params={"after": whole["next_cursor"]}, headers=headers).json()
    assert by_cursor["total"] is None and by_cursor["items"]
