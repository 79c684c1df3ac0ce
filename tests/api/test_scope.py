"""Who sees what: out-of-scope cases are 404 and absent from lists; roles gate each router."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases import access
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from tests.api.conftest import World

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _case_ids(client: TestClient, headers: dict[str, str]) -> set[int]:
    return {item["id"] for item in client.get("/api/cases", headers=headers).json()["items"]}


def _delivery_ids(client: TestClient, headers: dict[str, str]) -> set[int]:
    return {item["id"] for item in client.get("/api/deliveries", headers=headers).json()["items"]}


def _party_case_ids(client: TestClient, headers: dict[str, str]) -> set[int]:
    return {item["case_id"] for item in client.get("/api/parties", headers=headers).json()["items"]}


def _hidden_paths(world: World) -> list[str]:
    return [
        f"/api/cases/{world.other_case_id}",
        f"/api/cases/{world.other_case_id}/file",
        f"/api/deliveries/{world.other_delivery_id}",
    ]


def test_admin_and_supervisor_see_everything(client: TestClient, world: World, as_user: UserFactory) -> None:
    every_case = {world.civil_case_id, world.commercial_case_id, world.other_case_id}
    for role in (Role.admin, Role.supervisor):
        _, headers = as_user(role)
        assert _case_ids(client, headers) == every_case
        assert len(_delivery_ids(client, headers)) == 3
        assert client.get(f"/api/cases/{world.other_case_id}/file", headers=headers).status_code == 200


def test_clerk_sees_only_their_court(client: TestClient, world: World, as_user: UserFactory) -> None:
    _, headers = as_user(Role.clerk, court_id=world.court_id)
    assert _case_ids(client, headers) == {world.civil_case_id, world.commercial_case_id}
    assert world.other_delivery_id not in _delivery_ids(client, headers)
    assert world.other_case_id not in _party_case_ids(client, headers)
    for path in _hidden_paths(world):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
    other_party = client.get(f"/api/parties?case_id={world.other_case_id}", headers=headers).json()
    assert other_party["total"] == 0


def test_clerk_of_another_court_gets_404_for_this_court(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.clerk, court_id=world.other_court_id)
    assert _case_ids(client, headers) == {world.other_case_id}
    assert client.get(f"/api/cases/{world.civil_case_id}/file", headers=headers).status_code == 404
    assert client.get(f"/api/parties/{world.defendant_id}", headers=headers).status_code == 404
    assert client.get(f"/api/documents/{world.summons_id}/file", headers=headers).status_code == 404
    _, courtless = as_user(Role.clerk)
    assert _case_ids(client, courtless) == set()


def test_agent_sees_cases_assigned_to_them_or_worked_by_them(
    client: TestClient, world: World, as_user: UserFactory, make_user: Callable[..., User]
) -> None:
    agent, headers = as_user(Role.agent)
    assert _case_ids(client, headers) == set()
    assert client.get(f"/api/cases/{world.civil_case_id}/file", headers=headers).status_code == 404
    assert client.get(f"/api/parties/{world.defendant_id}", headers=headers).status_code == 404
    _, boss = as_user(Role.supervisor)
    client.post(
        f"/api/deliveries/{world.delivery_id}/assign", json={"assignee_user_id": agent.id}, headers=boss
    )
    assert _case_ids(client, headers) == {world.civil_case_id}
    assert _delivery_ids(client, headers) == {world.delivery_id}
    assert client.get(f"/api/parties/{world.defendant_id}", headers=headers).status_code == 200
    with database.get_session() as session:
        session.add(
            DeliveryAttempt(
                delivery_id=world.overdue_delivery_id,
                method=DeliveryMethod.phone,
                performed_by_user_id=agent.id,
            )
        )
    assert _case_ids(client, headers) == {world.civil_case_id, world.commercial_case_id}
    assert client.get(f"/api/deliveries/{world.other_delivery_id}", headers=headers).status_code == 404


def test_agent_acts_only_on_their_own_deliveries(
    client: TestClient, world: World, as_user: UserFactory, make_user: Callable[..., User]
) -> None:
    agent, headers = as_user(Role.field_officer)
    _, boss = as_user(Role.supervisor)
    client.post(
        f"/api/deliveries/{world.delivery_id}/assign", json={"assignee_user_id": agent.id}, headers=boss
    )
    plaintiff_delivery = client.post(
        "/api/deliveries",
        json={
            "case_id": world.civil_case_id,
            "party_id": world.plaintiff_id,
            "document_ids": [world.summons_id],
        },
        headers=boss,
    ).json()["id"]
    mine = client.post(
        f"/api/deliveries/{world.delivery_id}/attempts", json={"method": "field"}, headers=headers
    )
    assert mine.status_code == 201
    not_mine = client.post(
        f"/api/deliveries/{plaintiff_delivery}/attempts", json={"method": "field"}, headers=headers
    )
    assert not_mine.status_code == 403  # same case, visible, but not assigned to them
    hidden = client.post(
        f"/api/deliveries/{world.other_delivery_id}/transition", json={"status": "cancelled"}, headers=headers
    )
    assert hidden.status_code == 404


def test_roles_per_router(client: TestClient, world: World, as_user: UserFactory) -> None:
    _, agent = as_user(Role.agent)
    _, clerk = as_user(Role.clerk, court_id=world.court_id)
    create = {
        "case_id": world.civil_case_id,
        "party_id": world.plaintiff_id,
        "document_ids": [world.summons_id],
    }
    assert client.post("/api/deliveries", json=create, headers=agent).status_code == 403
    transition = {"status": "cancelled"}
    url = f"/api/deliveries/{world.delivery_id}"
    assert client.post(f"{url}/transition", json=transition, headers=clerk).status_code == 403
    assert client.post(f"{url}/attempts", json={"method": "phone"}, headers=clerk).status_code == 403
    assert client.post(f"{url}/assign", json={"assignee_user_id": None}, headers=clerk).status_code == 403
    assert client.post(f"{url}/assign", json={"assignee_user_id": None}, headers=agent).status_code == 403
    assert client.get("/api/cases").status_code == 401


def test_own_delivery_condition_selects_the_work_of_each_role(
    world: World, make_user: Callable[..., User], db_session: Session
) -> None:
    agent = make_user(Role.agent)
    clerk = make_user(Role.clerk, court_id=world.court_id)
    boss = make_user(Role.supervisor)
    assign = update(Delivery).where(Delivery.id == world.delivery_id).values(assignee_user_id=agent.id)
    db_session.execute(assign)
    db_session.commit()

    def own(user: User) -> set[int]:
        return set(db_session.scalars(select(Delivery.id).where(access.own_delivery_condition(user))))

    assert own(agent) == {world.delivery_id}
    assert own(clerk) == set()
    assert own(boss) == {world.delivery_id, world.overdue_delivery_id, world.other_delivery_id}
