"""The websocket in-process: the token in the first message (never in the URL), topics by role, snapshots on
(re)connect, events pushed, closing when the token is revoked or the client goes quiet."""

import json
import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from agent_desk import db_work
from backend.auth.roles import Role
from backend.config import get_settings
from tests.desk.conftest import Session
from tests.desk.live import LiveSocket, auth_message, desk_socket
from tests.desk.world import Made, add_delivery, call_events, place_call
from tests.polling import poll_until


def _closed_with(desk_client: TestClient, *first: str, url: str = "/ws") -> tuple[int, str]:
    """(close code, reason) of a socket at URL that sent the messages FIRST, after whatever came before
    the close (at most the hello)."""
    with desk_client.websocket_connect(url) as ws, pytest.raises(WebSocketDisconnect) as closed:
        for message in first:
            ws.send_text(message)
        assert ws.receive_json()["type"] == "hello"
        ws.receive_json()
    return closed.value.code, closed.value.reason


def _agent_calling(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> tuple[Made, Session, Session, str]:
    """A delivery, its agent (available, holding the task, calling it) and a supervisor; and the call's id."""
    made = add_delivery()
    agent, supervisor = sign_in(Role.agent), sign_in(Role.supervisor)
    desk_client.post("/api/desk/presence", json={"state": "available"}, headers=agent.headers)
    desk_client.post("/api/desk/next", headers=agent.headers)
    return made, agent, supervisor, place_call(agent.user.id, made.delivery_id, made.phone_ids[0])


def test_a_bad_token_or_a_role_without_a_desk_is_refused(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    assert _closed_with(desk_client, auth_message("")) == (4401, "未登录或登录已失效")
    assert _closed_with(desk_client, auth_message("not-a-token")) == (4401, "未登录或登录已失效")
    clerk = sign_in(Role.clerk)
    assert _closed_with(desk_client, auth_message(clerk.token)) == (4403, "当前角色无坐席工作台")


def test_a_token_in_the_url_is_refused_even_a_good_one(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    agent = sign_in(Role.agent)
    for url in (f"/ws?token={agent.token}", f"/ws?batch=1&access_token={agent.token}"):
        code, reason = _closed_with(desk_client, auth_message(agent.token), url=url)
        assert (code, reason) == (4401, "令牌不能放在网址中，请在连接后的第一条消息中发送")


def test_the_first_message_must_be_auth(desk_client: TestClient, sign_in: Callable[..., Session]) -> None:
    agent = sign_in(Role.agent)
    refused = (4400, "第一条消息须为登录消息（auth）")
    assert _closed_with(desk_client, '{"type":"ping"}', auth_message(agent.token)) == refused
    subscribe_first = json.dumps({"type": "subscribe", "data": {"token": agent.token, "topics": ["me"]}})
    assert _closed_with(desk_client, subscribe_first) == refused
    assert _closed_with(desk_client, "not json") == refused
    assert _closed_with(desk_client, '{"type":"auth","data":"' + agent.token + '"}') == refused


def test_a_socket_that_does_not_log_in_in_time_is_closed(
    desk_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "desk_ws_auth_seconds", 0.3)
    assert _closed_with(desk_client) == (4408, "连接后 0.3 秒内未收到登录消息")


def test_agents_get_snapshots_of_their_topics_and_no_supervisor_topics(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    add_delivery()
    agent = sign_in(Role.agent, full_name="王磊")
    with desk_socket(desk_client, agent.token) as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["data"]["topics_allowed"] == ["me", "queue"]
        assert hello["data"]["server_time"].endswith("+00:00")
        live = LiveSocket(ws)
        live.subscribe("me", "queue", "calls", "agents")

        me = live.snapshot("me")
        assert (
            me["user"]["full_name"] == "王磊" and me["presence"]["state"] == "offline" and me["task"] is None
        )
        assert live.snapshot("queue")["groups"][0]["waiting"] == 1
        refused = {live.wait_for(lambda m: m["type"] == "error")["data"]["topic"] for _ in range(2)}
        assert refused == {"calls", "agents"}


def test_desk_changes_are_pushed_to_the_agent_and_the_wall(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    made = add_delivery()
    agent, supervisor = sign_in(Role.agent), sign_in(Role.supervisor)
    with (
        desk_socket(desk_client, agent.token, "me") as agent_ws,
        desk_socket(desk_client, supervisor.token, "agents", "queue", "figures") as wall_ws,
    ):
        desk, wall = LiveSocket(agent_ws), LiveSocket(wall_ws)
        desk.snapshot("me")
        assert wall.snapshot("queue")["groups"][0]["locked"] == 0
        wall.snapshot("agents")
        assert wall.snapshot("figures")["calls"] == 0

        desk_client.post("/api/desk/presence", json={"state": "available"}, headers=agent.headers)
        presence = desk.event("me", lambda data: data["kind"] == "presence")["data"]["presence"]
        assert presence["state"] == "available"
        row = wall.event("agents", lambda data: data["user_id"] == agent.user.id)["data"]
        assert row["state"] == "available"

        desk_client.post("/api/desk/next", headers=agent.headers)
        task = desk.event("me", lambda data: data["kind"] == "task")
        assert task["data"]["task"]["delivery_id"] == made.delivery_id and task["seq"] > 1
        assert wall.event("queue", lambda data: data["groups"][0]["locked"] == 1)


def test_call_events_reach_the_agents_desk_and_the_wall_and_move_presence(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    made, agent, supervisor, call_id = _agent_calling(desk_client, sign_in)
    hub = desk_client.app.state.desk_hub  # type: ignore[attr-defined]
    events = call_events(call_id, answered=True)
    with (
        desk_socket(desk_client, agent.token, "me") as agent_ws,
        desk_socket(desk_client, supervisor.token, "calls") as wall_ws,
    ):
        desk, wall = LiveSocket(agent_ws), LiveSocket(wall_ws)
        assert desk.snapshot("me")["presence"]["state"] == "ringing"
        assert [call["call_id"] for call in wall.snapshot("calls")["calls"]] == [call_id]

        desk_client.portal.call(hub.call_stream.publish, events[:3])  # type: ignore[union-attr]

        answered = wall.event("calls", lambda data: data["state"] == "agent_connected")["data"]
        assert (answered["call_id"], answered["agent_user_id"], answered["delivery_id"]) == (
            call_id, agent.user.id, made.delivery_id,
        )  # fmt: skip
        assert desk.event(
            "me", lambda data: data["kind"] == "call" and data["call"]["state"] == "agent_connected"
        )
        on_call = desk.event("me", lambda data: data["kind"] == "presence")["data"]["presence"]
        assert on_call["state"] == "on_call" and on_call["since"] == events[2].at.isoformat()

        desk_client.portal.call(hub.call_stream.publish, events[3:])  # type: ignore[union-attr]
        ended = wall.event("calls", lambda data: data["state"] == "ended")["data"]
        assert ended["outcome"] == "answered" and ended["answered_at"] == events[4].at.isoformat()
        assert desk.event(
            "me", lambda data: data["kind"] == "presence" and data["presence"]["state"] == "wrap_up"
        )


def test_a_desk_asking_for_batches_gets_the_waiting_events_in_one_frame_in_order(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    _, _, supervisor, call_id = _agent_calling(desk_client, sign_in)
    hub = desk_client.app.state.desk_hub  # type: ignore[attr-defined]
    events = call_events(call_id, answered=True)
    with (
        desk_socket(desk_client, supervisor.token, "calls", batch=True) as batched_ws,
        desk_socket(desk_client, supervisor.token, "calls") as plain_ws,
    ):
        batched, plain = LiveSocket(batched_ws), LiveSocket(plain_ws)
        for wall in (batched, plain):
            wall.snapshot("calls")
        desk_client.portal.call(hub.call_stream.publish, events[:1])  # the hub learns who owns the call
        first = [wall.event("calls")["seq"] for wall in (batched, plain)]
        desk_client.portal.call(hub.call_stream.publish, events[1:])  # the rest at once: they wait together
        updates = {}
        for name, wall in (("batched", batched), ("plain", plain)):
            wall.event("calls", lambda data: data["state"] == "ended")
            updates[name] = [message for message in wall.kept if message["type"] == "event"]

    assert first == [1, 1]
    assert max(batched.frame_sizes) > 1 and max(plain.frame_sizes) == 1
    assert len(updates["batched"]) == len(updates["plain"]) == len(events) - 2  # all but the first and last
    assert [message["seq"] for message in updates["batched"]] == list(range(2, len(events)))
    assert [m["data"] for m in updates["batched"]] == [m["data"] for m in updates["plain"]]


def test_a_reconnect_starts_with_fresh_snapshots(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    agent = sign_in(Role.agent)
    with desk_socket(desk_client, agent.token, "me") as ws:
        assert LiveSocket(ws).snapshot("me")["presence"]["state"] == "offline"
    desk_client.post("/api/desk/presence", json={"state": "break", "reason": "会议"}, headers=agent.headers)
    with desk_socket(desk_client, agent.token) as ws:
        live = LiveSocket(ws)
        live.subscribe("me")
        presence = live.snapshot("me")["presence"]
        assert (presence["state"], presence["reason"]) == ("break", "会议")


def test_logging_out_closes_the_socket_with_4401(
    desk_client: TestClient, sign_in: Callable[..., Session]
) -> None:
    agent = sign_in(Role.agent)
    with desk_socket(desk_client, agent.token, "me") as ws:
        live = LiveSocket(ws)
        live.snapshot("me")
        assert desk_client.post("/api/auth/logout", headers=agent.headers).status_code in (200, 204)
        with pytest.raises(WebSocketDisconnect) as closed:
            live.wait_for(lambda m: False, timeout=5)
        assert closed.value.code == 4401


def test_a_socket_that_logs_in_while_tokens_are_checked_stays_open(
    desk_client: TestClient, sign_in: Callable[..., Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token check closes only the sockets whose tokens it looked up, not one registered meanwhile."""
    checking, release, checks_after_release = threading.Event(), threading.Event(), [0]
    real_live_tokens = db_work.live_tokens

    def held_live_tokens(hashes: set[str]) -> set[str]:
        live = real_live_tokens(hashes)
        if not release.is_set():
            checking.set()
            release.wait(timeout=10)
        else:
            checks_after_release[0] += 1
        return live

    monkeypatch.setattr(db_work, "live_tokens", held_live_tokens)
    first, second = sign_in(Role.agent), sign_in(Role.agent)
    with desk_socket(desk_client, first.token, "me") as first_ws:
        LiveSocket(first_ws).snapshot("me")
        assert checking.wait(timeout=10)  # a check is under way, holding the hashes it read
        with desk_socket(desk_client, second.token, "me") as second_ws:
            late = LiveSocket(second_ws)
            late.snapshot("me")
            release.set()
            poll_until(lambda: checks_after_release[0] >= 2, timeout=10, what="two more token checks")
            late.subscribe("me")
            assert late.snapshot("me")["presence"]["state"]  # the socket is still open


def test_a_quiet_client_is_closed(
    desk_client: TestClient, sign_in: Callable[..., Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "desk_ws_idle_seconds", 0.3)
    agent = sign_in(Role.agent)
    code, _ = _closed_with(desk_client, auth_message(agent.token))  # hello, then nothing but the close
    assert code == 4408
