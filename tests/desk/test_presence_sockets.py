"""Presence follows the desk's sockets: when an agent's last desk tab closes, they go offline after a short
grace (a reload comes back within it) and give back their task; another open tab keeps them; a wall socket
is not a desk; a desk no process has seen for a while is signed out by the sweep."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from backend import database
from backend.auth.roles import Role
from backend.config import get_settings
from backend.database import utcnow
from backend.desk import presence
from backend.desk import service as desk_service
from backend.desk.models import AgentPresence, TaskLock
from tests.desk.conftest import Session
from tests.desk.live import desk_socket
from tests.desk.world import add_delivery
from tests.polling import poll_until

GRACE = 0.3


@pytest.fixture()
def short_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "desk_presence_grace_seconds", GRACE)


def _presence(user_id: int) -> AgentPresence:
    with database.get_session() as session:
        row = session.get(AgentPresence, user_id)
        assert row is not None
        session.expunge(row)
        return row


def _available_with_desk(client: TestClient, agent: Session) -> None:
    response = client.post("/api/desk/presence", json={"state": "available"}, headers=agent.headers)
    assert response.status_code == 200


def _seen_after(user_id: int, moment: datetime) -> bool:
    seen = _presence(user_id).desk_seen_at
    return seen is not None and seen > moment


def test_closing_the_last_desk_tab_sets_the_agent_offline_and_frees_the_task(
    short_grace: None, desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    add_delivery()
    agent = sign_in(Role.agent)
    _available_with_desk(desk_client, agent)
    with desk_socket(desk_client, agent.token, "me", "queue") as ws:
        ws.receive_json()  # hello
        poll_until(lambda: _presence(agent.user.id).desk_seen_at, timeout=5, what="the desk never marked")
        assert desk_client.post("/api/desk/next", headers=agent.headers).status_code == 200

    gone = poll_until(
        lambda: (row := _presence(agent.user.id)).state == "offline" and row,
        timeout=5 + GRACE,
        what="the agent stayed available after closing the desk",
    )
    assert gone.reason == presence.DESK_CLOSED_REASON
    with database.get_session() as session:
        assert session.query(TaskLock).filter_by(user_id=agent.user.id).count() == 0


def test_another_open_tab_keeps_the_agent_and_a_wall_socket_is_not_a_desk(
    short_grace: None, desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    agent = sign_in(Role.supervisor)  # a supervisor works the desk too, and watches the wall
    _available_with_desk(desk_client, agent)
    with desk_socket(desk_client, agent.token, "me") as kept:
        kept.receive_json()
        with desk_socket(desk_client, agent.token, "me") as closed:
            closed.receive_json()
        closed_at = utcnow()
        with desk_socket(desk_client, agent.token, "agents") as wall:
            wall.receive_json()
        poll_until(
            lambda: _seen_after(agent.user.id, closed_at + timedelta(seconds=3 * GRACE)),
            timeout=5,
            what="the open desk was not marked after the grace",
        )
        assert _presence(agent.user.id).state == "available"


def test_the_sweep_signs_out_desks_no_process_has_seen_and_leaves_api_clients_alone(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    with_desk, api_only = sign_in(Role.agent), sign_in(Role.agent)
    for agent in (with_desk, api_only):
        _available_with_desk(desk_client, agent)
    long_ago = utcnow() - timedelta(seconds=3 * get_settings().desk_presence_grace_seconds + 5)
    with database.get_session() as session:
        presence.mark_desks_seen(db_session=session, user_ids={with_desk.user.id}, now=long_ago)
    with database.get_session() as session:
        assert desk_service.sweep(db_session=session)["desks_closed"] == 1
    assert _presence(with_desk.user.id).state == "offline"
    assert _presence(api_only.user.id).state == "available"
