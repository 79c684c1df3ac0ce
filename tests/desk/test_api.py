"""The desk and wall REST API as the front end uses it; roles decide who reaches the wall."""

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from backend.audit.models import AuditLog
from backend.auth.roles import Role
from backend.core.clock import court_today
from tests.desk.conftest import Session
from tests.desk.world import add_delivery, finish_call, place_call


def test_an_agent_takes_a_task_reads_its_card_and_releases_it(
    desk_client: TestClient, sign_in: Callable[..., Session], db_session: DbSession
) -> None:
    made = add_delivery(addresses=("北京市西城区金融大街 27 号",))
    agent = sign_in(Role.agent, full_name="王磊")
    me = desk_client.get("/api/desk/me", headers=agent.headers).json()
    assert me["presence"]["state"] == "offline" and me["current_task"] is None
    assert me["sip"]["username"] == f"web{agent.user.sip_extension}" and me["sip"]["ws_url"].endswith("/ws")

    assert desk_client.post("/api/desk/next", headers=agent.headers).status_code == 409  # not available yet
    response = desk_client.post("/api/desk/presence", json={"state": "available"}, headers=agent.headers)
    assert response.status_code == 200 and response.json()["state"] == "available"
    card = desk_client.post("/api/desk/next", headers=agent.headers).json()

    assert card["delivery"]["id"] == made.delivery_id and card["lock"]["user_id"] == agent.user.id
    assert {point["kind"] for point in card["contact_points"]} == {"phone", "address"}
    assert card["contact_points"][0]["history"][0]["kind"] == "added"
    assert card["party"]["name"] in card["script"] and "录音" in card["script"]
    assert (
        desk_client.get("/api/desk/me", headers=agent.headers).json()["current_task"]["delivery_id"]
        == made.delivery_id
    )
    again = desk_client.get(f"/api/desk/tasks/{made.delivery_id}", headers=agent.headers)
    assert again.status_code == 200 and again.json()["lock"] is not None
    reads = db_session.scalars(select(AuditLog).where(AuditLog.action == "desk_task_read")).all()
    assert [read.detail["via"] for read in reads] == ["next", "card"]

    no_telephony = desk_client.post(
        f"/api/desk/tasks/{made.delivery_id}/call",
        json={"contact_point_id": made.phone_ids[0]},
        headers={**agent.headers, "Idempotency-Key": "key-12345678"},
    )
    assert no_telephony.status_code == 503  # this process does not own call control
    released = desk_client.post(f"/api/desk/tasks/{made.delivery_id}/release", json={}, headers=agent.headers)
    assert released.status_code == 204
    assert (
        desk_client.post(
            f"/api/desk/tasks/{made.delivery_id}/release", json={}, headers=agent.headers
        ).status_code
        == 409
    )


def test_a_task_outside_the_agents_scope_is_not_found(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    made = add_delivery()
    holder, other = sign_in(Role.agent), sign_in(Role.agent)
    desk_client.post("/api/desk/presence", json={"state": "available"}, headers=holder.headers)
    desk_client.post("/api/desk/next", headers=holder.headers)
    assert desk_client.get(f"/api/desk/tasks/{made.delivery_id}", headers=other.headers).status_code == 404
    response = desk_client.post(
        f"/api/desk/tasks/{made.delivery_id}/disposition", json={"kind": "no_answer"}, headers=other.headers
    )
    assert response.status_code == 409


def test_a_disposition_through_the_api(desk_client: TestClient, sign_in: Callable[..., Session]) -> None:
    supervisor = sign_in(Role.supervisor)
    window = desk_client.post(
        "/api/wall/pickup-windows", json={"name": "二号窗口", "location": "一楼"}, headers=supervisor.headers
    ).json()
    day = (court_today() + timedelta(days=2)).isoformat()
    slots = desk_client.post(
        f"/api/wall/pickup-windows/{window['id']}/slots",
        json={"date": day, "start": "14:00", "end": "15:00", "slot_minutes": 20, "capacity": 3},
        headers=supervisor.headers,
    ).json()
    assert [slot["starts_at"][11:16] for slot in slots] == [
        "06:00",
        "06:20",
        "06:40",
    ]  # 14:00 Beijing = 06:00 UTC
    made = add_delivery()
    agent = sign_in(Role.agent)
    desk_client.post("/api/desk/presence", json={"state": "available"}, headers=agent.headers)
    desk_client.post("/api/desk/next", headers=agent.headers)
    finish_call(place_call(agent.user.id, made.delivery_id, made.phone_ids[0]), answered=True)

    listed = desk_client.get(f"/api/desk/pickup-slots?date={day}", headers=agent.headers).json()
    assert [(slot["window"], slot["booked"], slot["capacity"]) for slot in listed] == [("二号窗口", 0, 3)] * 3
    bad = desk_client.post(
        f"/api/desk/tasks/{made.delivery_id}/disposition",
        json={"kind": "electronic", "mobile": "123"},
        headers=agent.headers,
    )
    assert bad.status_code == 422
    response = desk_client.post(
        f"/api/desk/tasks/{made.delivery_id}/disposition",
        json={"kind": "pickup", "slot_id": listed[1]["id"]},
        headers=agent.headers,
    )

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["outcome"] == "pickup_booked" and result["attempt"]["status"] == "failed"
    assert (
        result["details"]["sms_id"] and result["evidence_id"] and result["presence"]["state"] == "available"
    )
    assert (
        desk_client.get(f"/api/desk/pickup-slots?date={day}", headers=agent.headers).json()[1]["booked"] == 1
    )


def test_agents_cannot_see_the_wall(desk_client: TestClient, sign_in: Callable[..., Session]) -> None:
    agent = sign_in(Role.agent)
    assert desk_client.get("/api/wall", headers=agent.headers).status_code == 403
    forced = desk_client.post(
        f"/api/wall/agents/{agent.user.id}/presence", json={"state": "offline"}, headers=agent.headers
    )
    assert forced.status_code == 403
    clerk = sign_in(Role.clerk)
    assert desk_client.post("/api/desk/next", headers=clerk.headers).status_code == 403


def test_the_wall_shows_queues_agents_calls_and_figures_and_forces_presence(
    desk_client: TestClient, sign_in: Callable[..., Session], db_session: DbSession
) -> None:
    add_delivery(group="商事组")
    add_delivery(group="商事组", deadline=court_today())
    agent = sign_in(Role.agent, agent_group="商事组", full_name="李娜")
    supervisor = sign_in(Role.supervisor)
    desk_client.post("/api/desk/presence", json={"state": "available"}, headers=agent.headers)
    made = desk_client.post("/api/desk/next", headers=agent.headers).json()
    call_id = place_call(agent.user.id, made["delivery"]["id"], made["contact_points"][0]["id"])

    wall = desk_client.get("/api/wall", headers=supervisor.headers).json()

    group = next(row for row in wall["queues"] if row["group"] == "商事组")
    assert (group["waiting"], group["locked"]) == (1, 1)
    row = next(row for row in wall["agents"] if row["user_id"] == agent.user.id)
    assert (row["full_name"], row["state"], row["delivery_id"]) == ("李娜", "ringing", made["delivery"]["id"])
    assert row["since"] is not None
    assert [(call["call_id"], call["agent_user_id"]) for call in wall["calls"]] == [(call_id, agent.user.id)]
    assert wall["figures"]["calls"] == 1 and wall["figures"]["calls_in_progress"] == 1
    read = db_session.scalars(select(AuditLog).where(AuditLog.action == "wall_calls_read")).one()
    assert read.actor_user_id == supervisor.user.id and read.detail["call_ids"] == [call_id]

    forced = desk_client.post(
        f"/api/wall/agents/{agent.user.id}/presence",
        json={"state": "break", "reason": "培训"},
        headers=supervisor.headers,
    )
    assert forced.status_code == 200 and forced.json()["state"] == "break"
    assert desk_client.get("/api/desk/me", headers=agent.headers).json()["presence"]["reason"] == "培训"
    listen = desk_client.post(
        f"/api/wall/calls/{call_id}/listen", json={"whisper": False}, headers=supervisor.headers
    )
    assert listen.status_code == 503  # no call control in this process
