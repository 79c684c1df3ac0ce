"""The deliveries list by cursor: every row exactly once while rows are added and served between pages."""

import random
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import Delivery
from tests.api.conftest import World

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _add_deliveries(world: World, count: int, rng: random.Random, assignee_id: int) -> list[int]:
    """COUNT deliveries with deadlines over a few days, many shared, one in five without a deadline."""
    with database.get_session() as session:
        rows = [
            Delivery(
                case_id=world.civil_case_id,
                party_id=world.defendant_id,
                deadline=None if rng.random() < 0.2 else date(2026, 3, 1) + timedelta(days=rng.randrange(4)),
                assignee_user_id=assignee_id,
            )
            for _ in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def _serve(delivery_ids: list[int]) -> None:
    with database.get_session() as session:
        session.execute(
            update(Delivery).where(Delivery.id.in_(delivery_ids)).values(status=DeliveryStatus.served)
        )


def _read_by_cursor(
    client: TestClient, headers: dict[str, str], between_pages: Callable[[list[int]], None]
) -> list[int]:
    seen: list[int] = []
    page = client.get("/api/deliveries", params={"page_size": 7}, headers=headers).json()
    while True:
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            return seen
        between_pages([item["id"] for item in page["items"]])
        params = {"page_size": 7, "after": page["next_cursor"]}
        page = client.get("/api/deliveries", params=params, headers=headers).json()
        assert page["total"] is None  # a cursor page counts nothing


def test_cursor_pages_return_every_row_once_while_rows_are_added_and_served(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    rng = random.Random(19)
    agent, agent_headers = as_user(Role.agent)
    _, supervisor_headers = as_user(Role.supervisor)
    _add_deliveries(world, 60, rng, agent.id)
    for headers in (supervisor_headers, agent_headers):
        everything = client.get("/api/deliveries", params={"page_size": 200}, headers=headers).json()
        before = {item["id"] for item in everything["items"]}
        assert len(before) == everything["total"] > 60
        added: list[int] = []
        seen = _read_by_cursor(client, headers, _adding_and_serving(world, rng, agent.id, added))
        assert len(seen) == len(set(seen)), "a row came twice"
        assert before <= set(seen), "a row present from the start was skipped"
        assert set(seen) <= before | set(added)


def _adding_and_serving(
    world: World, rng: random.Random, agent_id: int, added: list[int]
) -> Callable[[list[int]], None]:
    def between_pages(shown: list[int]) -> None:
        added.extend(_add_deliveries(world, 3, rng, agent_id))
        _serve(rng.sample(shown, 2))

    return between_pages


def test_offset_pages_still_count_and_a_bad_cursor_is_refused(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    first = client.get("/api/deliveries", params={"page_size": 2}, headers=headers).json()
    assert first["total"] == 3 and first["page"] == 1 and first["next_cursor"] is not None
    rest = client.get(
        "/api/deliveries", params={"page_size": 2, "after": first["next_cursor"]}, headers=headers
    )
    assert [item["id"] for item in rest.json()["items"]] == [
        item["id"]
        for item in client.get("/api/deliveries", params={"page_size": 2, "page": 2}, headers=headers).json()[
            "items"
        ]
    ]
    refused = client.get("/api/deliveries", params={"after": "昨天~x"}, headers=headers)
    assert refused.status_code == 422 and "游标" in refused.text
