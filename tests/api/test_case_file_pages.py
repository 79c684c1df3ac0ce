"""A mass case's file comes a page of parties and deliveries at a time, each row once; a typical case's
file is whole on the first request, as before paging."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.models import Delivery
from backend.parties.enums import LitigationRole, PartyType
from backend.parties.models import Party
from tests.api.conftest import World

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _add_defendants(world: World, count: int) -> tuple[list[int], list[int]]:
    """COUNT more defendants of the civil case, each with a delivery: a mass case."""
    with database.get_session() as session:
        parties = [
            Party(
                case_id=world.civil_case_id,
                identity_key=f"mass-{number}",
                name=f"被告{number}",
                party_type=PartyType.natural_person,
                litigation_role=LitigationRole.defendant,
            )
            for number in range(count)
        ]
        session.add_all(parties)
        session.flush()
        deliveries = [Delivery(case_id=world.civil_case_id, party_id=party.id) for party in parties]
        session.add_all(deliveries)
        session.flush()
        return [party.id for party in parties], [delivery.id for delivery in deliveries]


def _all_pages(client: TestClient, world: World, headers: dict[str, str], limit: int) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    params: dict[str, int] = {"parties_limit": limit, "deliveries_limit": limit}
    while True:
        response = client.get(f"/api/cases/{world.civil_case_id}/file", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        if page["parties_next"] is None and page["deliveries_next"] is None:
            return pages
        params = {
            "parties_limit": limit,
            "deliveries_limit": limit,
            "parties_after": page["parties_next"] or 10**9,
            "deliveries_after": page["deliveries_next"] or 10**9,
        }


def test_mass_case_file_pages_parties_and_deliveries_each_once(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    party_ids, delivery_ids = _add_defendants(world, 11)
    everyone = [world.plaintiff_id, world.defendant_id, *party_ids]
    every_delivery = [world.delivery_id, *delivery_ids]

    pages = _all_pages(client, world, headers, limit=4)

    assert len(pages) == 4  # 13 parties and 12 deliveries, 4 a page
    assert [party["id"] for page in pages for party in page["parties"]] == sorted(everyone)
    assert [delivery["id"] for page in pages for delivery in page["deliveries"]] == sorted(every_delivery)
    assert {(page["parties_total"], page["deliveries_total"]) for page in pages} == {(13, 12)}
    assert all(len(page["deliveries"]) <= 4 for page in pages)
    assert pages[0]["documents"] and pages[0]["case"]["id"] == world.civil_case_id


def test_a_typical_case_file_is_whole_without_paging_parameters(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    response = client.get(f"/api/cases/{world.civil_case_id}/file", headers=headers)
    case_file = response.json()
    assert [delivery["id"] for delivery in case_file["deliveries"]] == [world.delivery_id]
    assert len(case_file["parties"]) == case_file["parties_total"] == 2
    assert case_file["parties_next"] is None and case_file["deliveries_next"] is None


def test_page_limits_are_bounded(client: TestClient, world: World, as_user: UserFactory) -> None:
    _, headers = as_user(Role.supervisor)
    for params in ({"deliveries_limit": 0}, {"deliveries_limit": 501}, {"parties_after": -1}):
        response = client.get(f"/api/cases/{world.civil_case_id}/file", params=params, headers=headers)
        assert response.status_code == 422, params
