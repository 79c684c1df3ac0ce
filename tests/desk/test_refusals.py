"""When the desk offers no task, the answer says why (a code and a Chinese message with what to do): not
available, tasks only outside the agent's group, all waiting for a later callback, all in other hands,
or nothing queued."""

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from backend import database
from backend.auth.roles import Role
from backend.database import utcnow
from backend.desk.enums import CallbackKind
from backend.desk.models import Callback
from tests.desk.conftest import Session
from tests.desk.world import add_delivery


def _next(client: TestClient, agent: Session) -> dict[str, str]:
    response = client.post("/api/desk/next", headers=agent.headers)
    assert response.status_code == 409, response.text
    body: dict[str, str] = response.json()
    return body


def _available(client: TestClient, agent: Session) -> None:
    response = client.post("/api/desk/presence", json={"state": "available"}, headers=agent.headers)
    assert response.status_code == 200, response.text


def test_an_offline_agent_is_told_to_become_available(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    add_delivery()
    agent = sign_in(Role.agent)
    refusal = _next(desk_client, agent)
    assert refusal["code"] == "not_available"
    assert "离线" in refusal["detail"] and "设为空闲" in refusal["detail"]


def test_tasks_of_another_group_are_counted_and_the_way_out_named(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    for _ in range(3):
        add_delivery(group="商事组")
    agent = sign_in(Role.agent, agent_group="民事组")
    _available(desk_client, agent)
    refusal = _next(desk_client, agent)
    assert refusal["code"] == "not_in_scope"
    assert "3 个待办任务" in refusal["detail"] and "「民事组」组" in refusal["detail"]
    assert "主管" in refusal["detail"]


def test_tasks_waiting_for_a_later_callback_give_the_first_due_time(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    made = add_delivery()
    with database.get_session() as session:
        session.add(
            Callback(
                delivery_id=made.delivery_id,
                kind=CallbackKind.requested,
                due_at=utcnow() + timedelta(hours=2),
            )
        )
    agent = sign_in(Role.agent)
    _available(desk_client, agent)
    refusal = _next(desk_client, agent)
    assert refusal["code"] == "callbacks_later" and "稍后回拨" in refusal["detail"]


def test_tasks_held_by_other_agents_and_an_empty_queue_are_told_apart(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    agent = sign_in(Role.agent)
    _available(desk_client, agent)
    assert _next(desk_client, agent)["code"] == "queue_empty"

    add_delivery()
    holder = sign_in(Role.agent)
    _available(desk_client, holder)
    assert desk_client.post("/api/desk/next", headers=holder.headers).status_code == 200
    refusal = _next(desk_client, agent)
    assert refusal["code"] == "all_taken" and "1 个任务正由其他专员处理" in refusal["detail"]


def test_other_desk_refusals_carry_their_code_beside_the_message(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    made = add_delivery()
    agent = sign_in(Role.agent)
    released = desk_client.post(f"/api/desk/tasks/{made.delivery_id}/release", json={}, headers=agent.headers)
    assert released.status_code == 409
    assert released.json()["code"] == "not_locked"
    assert released.json()["detail"] == "该任务未锁定给您（可能已超时释放），请重新领取任务"
