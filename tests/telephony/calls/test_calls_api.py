"""The call API without Asterisk: who may use it, and what a process without call control answers."""

import socket
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls.models import CallRecord
from tests.conftest import TEST_PASSWORD
from tests.polling import poll_until
from tests.telephony.calls.conftest import CallWorld, settings_env


def test_process_without_call_control_refuses_to_place_calls(
    client: TestClient, login: Callable[..., dict[str, str]], call_world: CallWorld
) -> None:
    headers = {**login(Role.agent, sip_extension="1006"), "Idempotency-Key": "k" * 16}
    body = {"delivery_attempt_id": call_world.attempt_id, "number": "13800138000"}
    assert client.post("/api/calls", json=body, headers=headers).status_code == 503
    assert client.get("/api/calls/live", headers=headers).status_code == 503


def test_clerks_may_not_place_calls(client: TestClient, login: Callable[..., dict[str, str]]) -> None:
    headers = {**login(Role.clerk), "Idempotency-Key": "k" * 16}
    assert (
        client.post("/api/calls", json={"delivery_attempt_id": 1, "number": "1"}, headers=headers).status_code
        == 403
    )


def test_unknown_call_is_not_found(client: TestClient, login: Callable[..., dict[str, str]]) -> None:
    assert client.get("/api/calls/" + "0" * 32, headers=login(Role.supervisor)).status_code == 404


def test_call_placed_while_asterisk_is_unreachable_fails_cleanly(
    db: Engine, make_user: Callable[..., User], call_world: CallWorld
) -> None:
    from backend.app import create_app

    closed_port = _unused_port()
    env = {"SONGDA_TELEPHONY_ENABLED": "true", "SONGDA_AMI_PORT": str(closed_port)}
    with settings_env(**env), TestClient(create_app()) as client:
        agent = make_user(Role.agent, sip_extension="1006")
        token = client.post("/api/auth/login", json={"username": agent.username, "password": TEST_PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['token']}", "Idempotency-Key": "a" * 16}
        body = {"delivery_attempt_id": call_world.attempt_id, "number": "13800138000"}

        assert client.post("/api/calls", json=body, headers=headers).status_code == 503
        with database.get_session() as session:
            record = session.scalar(select(CallRecord).where(CallRecord.idempotency_key == "a" * 16))
            assert record is not None
        retried = client.post("/api/calls", json=body, headers=headers)
        assert retried.status_code == 200 and retried.json()["call_id"] == record.call_id

        def settled() -> dict[str, Any] | None:
            state = client.get(f"/api/calls/{record.call_id}", headers=headers).json()
            return None if state["recording_status"] == "pending" else dict(state)

        state = poll_until(settled, timeout=10, what="the recording status stayed pending", interval=0.1)

    assert (state["status"], state["outcome"], state["recording_status"]) == ("ended", "failed", "missing")


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
