"""The supervisors' deliveries board over the API: filters (method, unassigned, overdue), assigning many
deliveries in one transaction (all or none, audited, a retry changes nothing) and the Excel export."""

import io
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import court_today
from backend.deliveries.enums import AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt
from tests.api.conftest import World

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _overdue_copies(world: World, count: int) -> list[int]:
    """COUNT more overdue deliveries on the commercial case (one with a planned postal attempt)."""
    with database.get_session() as session:
        template = session.get(Delivery, world.overdue_delivery_id)
        assert template is not None
        made = [
            Delivery(
                case_id=template.case_id,
                party_id=template.party_id,
                documents=list(template.documents),
                deadline=court_today() - timedelta(days=index + 1),
            )
            for index in range(count)
        ]
        session.add_all(made)
        session.flush()
        session.add(DeliveryAttempt(delivery_id=made[0].id, method=DeliveryMethod.postal))
        return [delivery.id for delivery in made]


def _ids(response_json: dict[str, object]) -> list[int]:
    items = response_json["items"]
    assert isinstance(items, list)
    return [item["id"] for item in items]


def test_filters_by_method_unassigned_and_overdue(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    extra = _overdue_copies(world, 2)
    _, headers = as_user(Role.supervisor)
    overdue = client.get("/api/deliveries", params={"overdue": "true"}, headers=headers).json()
    assert set(_ids(overdue)) == {world.overdue_delivery_id, *extra}
    postal = client.get("/api/deliveries", params={"method": "postal"}, headers=headers).json()
    assert _ids(postal) == [extra[0]]
    agent, _ = as_user(Role.agent)
    client.post(
        "/api/board/assign",
        json={"delivery_ids": [extra[1]], "assignee_user_id": agent.id},
        headers=headers,
    ).raise_for_status()
    unassigned = client.get(
        "/api/deliveries", params={"overdue": "true", "unassigned": "true"}, headers=headers
    )
    assert set(_ids(unassigned.json())) == {world.overdue_delivery_id, extra[0]}


def test_bulk_assignment_is_one_audited_transaction_and_a_retry_changes_nothing(
    client: TestClient, world: World, as_user: UserFactory, db_session: Session
) -> None:
    extra = _overdue_copies(world, 2)
    supervisor, headers = as_user(Role.supervisor)
    agent, _ = as_user(Role.agent, agent_group="商事组", full_name="周敏")
    three = [world.overdue_delivery_id, *extra]
    body = {"delivery_ids": three, "assignee_user_id": agent.id}

    first = client.post("/api/board/assign", json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"assigned": sorted(three), "unchanged": [], "assignee_user_id": agent.id}
    retry = client.post("/api/board/assign", json=body, headers=headers)
    assert retry.json() == {"assigned": [], "unchanged": sorted(three), "assignee_user_id": agent.id}

    rows = db_session.scalars(select(AuditLog).where(AuditLog.actor_user_id == supervisor.id)).all()
    assert sorted(int(row.object_id or 0) for row in rows if row.action == "delivery_assigned") == sorted(
        three
    )
    [summary] = [row for row in rows if row.action == "deliveries_bulk_assigned"]
    assert summary.detail["assigned"] == sorted(three)


def test_bulk_assignment_refuses_all_when_one_is_finished_or_unseen(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    extra = _overdue_copies(world, 1)
    with database.get_session() as session:
        finished = session.get(Delivery, extra[0])
        assert finished is not None
        finished.status = DeliveryStatus.cancelled
    _, headers = as_user(Role.supervisor)
    agent, _ = as_user(Role.agent)
    body = {"delivery_ids": [world.overdue_delivery_id, extra[0]], "assignee_user_id": agent.id}
    refused = client.post("/api/board/assign", json=body, headers=headers)
    assert refused.status_code == 409 and str(extra[0]) in refused.json()["detail"]
    unseen = {"delivery_ids": [world.overdue_delivery_id, 999_999], "assignee_user_id": agent.id}
    assert client.post("/api/board/assign", json=unseen, headers=headers).status_code == 404
    with database.get_session() as session:
        untouched = session.get(Delivery, world.overdue_delivery_id)
        assert untouched is not None and untouched.assignee_user_id is None
    _, agent_headers = as_user(Role.agent)
    assert client.post("/api/board/assign", json=body, headers=agent_headers).status_code == 403


def test_the_export_holds_the_filtered_list_with_chinese_headers(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    extra = _overdue_copies(world, 2)
    _, headers = as_user(Role.supervisor)
    response = client.get("/api/board/export", params={"overdue": "true"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["送达任务"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("任务编号", "案号", "案件类型", "受送达人", "状态")
    assert sorted(row[0] for row in rows[1:]) == sorted([world.overdue_delivery_id, *extra])
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[extra[0]][6] == "已超期" and by_id[extra[0]][7] == "EMS司法专邮"
    assert by_id[extra[0]][4] == "待送达" and by_id[extra[0]][2] == "商事"
    _, agent_headers = as_user(Role.agent)
    assert client.get("/api/board/export", headers=agent_headers).status_code == 403


def test_attempt_status_filter_ignores_finished_attempts(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    extra = _overdue_copies(world, 1)
    with database.get_session() as session:
        attempt = session.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == extra[0])
        ).one()
        attempt.status = AttemptStatus.cancelled
    _, headers = as_user(Role.supervisor)
    assert _ids(client.get("/api/deliveries", params={"method": "postal"}, headers=headers).json()) == []
