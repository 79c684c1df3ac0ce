"""Any API process places calls: a desk served by a second `songda serve` process, which does not own AMI
and shares only Redis with the one that does, places a recorded call that reaches Asterisk; the desk sees
the call's events and its presence follow the call. A command repeated with the same idempotency key
(a retried request) places no second call. Through the same process a supervisor lists the live calls and
listens in (ChanSpy), both answered by the owner of AMI."""

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import Engine

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls import service as call_service
from backend.calls.enums import RecordingStatus
from telephony.commands import PlaceCall, command_streams
from telephony.remote_commands import RemoteCallCommands
from telephony.softphone import AgentSoftphone
from tests.conftest import TEST_PASSWORD
from tests.desk.live import auth_message
from tests.desk.servers import REDIS_URL, api_process
from tests.desk.world import add_delivery
from tests.polling import poll_until
from tests.telephony.conftest import AsteriskUnderTest, ami, asterisk, softphone  # noqa: F401 - fixtures
from tests.telephony.raw_ami import RawAmiSession

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]
AGENT_EXTENSION, SUPERVISOR_EXTENSION = "1013", "1014"  # used by no other test
CALL_STEP = 20.0  # seconds: pyVoIP answers after 1 s, and the machine is shared
Message = dict[str, Any]


class Desk:
    """The agent's websocket; `until` returns the first `me` event that matches (others are kept)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.kept: list[Message] = []

    async def until(self, matches: Callable[[Message], bool], timeout: float = CALL_STEP) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            found = next((data for data in self.kept if matches(data)), None)
            if found is not None:
                self.kept.remove(found)
                return found
            for message in await self._read(deadline):
                if message["type"] == "event" and message["topic"] == "me":
                    self.kept.append(message["data"])

    async def snapshot(self) -> Message:
        """The `me` snapshot: events follow it."""
        deadline = time.monotonic() + CALL_STEP
        while True:
            for message in await self._read(deadline):
                if message["type"] == "snapshot" and message["topic"] == "me":
                    return dict(message["data"])

    async def _read(self, deadline: float) -> list[Message]:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), deadline - time.monotonic()))
        return list(frame["data"]) if frame["type"] == "batch" else [frame]


def _call_state(call_id: str, *states: str) -> Callable[[Message], bool]:
    return lambda d: d["kind"] == "call" and d["call"]["call_id"] == call_id and d["call"]["state"] in states


def _presence(state: str) -> Callable[[Message], bool]:
    return lambda d: d["kind"] == "presence" and d["presence"]["state"] == state


async def _send_again(command: PlaceCall) -> None:
    """The command the second process sent, sent once more over the stream (as a retry would)."""
    requests, replies = command_streams(REDIS_URL)
    remote = RemoteCallCommands(requests=requests, replies=replies)
    await remote.start()
    try:
        await remote.place(command)
    finally:
        await remote.stop()


def _recording_status(call_id: str) -> RecordingStatus:
    def filed() -> RecordingStatus | None:
        with database.get_session() as session:
            record = call_service.get_call(db_session=session, call_id=call_id)
            assert record is not None
            unfiled = (RecordingStatus.pending, RecordingStatus.recording)
            return None if record.recording_status in unfiled else record.recording_status

    return poll_until(filed, timeout=30, what="the recordings were never filed", interval=0.2)


def test_a_desk_on_a_process_without_ami_places_a_recorded_call(
    asterisk: AsteriskUnderTest,  # noqa: F811
    ami: RawAmiSession,  # noqa: F811
    softphone: Callable[..., AgentSoftphone],  # noqa: F811
    database_url: str,
    db: Engine,
    make_user: Callable[..., User],
) -> None:
    agent_phone, supervisor_phone = softphone(AGENT_EXTENSION), softphone(SUPERVISOR_EXTENSION)
    agent = make_user(Role.agent, sip_extension=AGENT_EXTENSION)
    supervisor = make_user(Role.supervisor, sip_extension=SUPERVISOR_EXTENSION)
    made = add_delivery()
    owner_settings = {"SONGDA_TELEPHONY_ENABLED": "true", "SONGDA_AGENT_ANSWER_SECONDS": "15"}

    async def scenario(base_url: str) -> str:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            login = {"username": agent.username, "password": TEST_PASSWORD}
            token = (await http.post("/api/auth/login", json=login)).json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            async with websockets.connect(f"{base_url.replace('http', 'ws')}/ws") as ws:
                await ws.send(auth_message(token, "me", batch=True))
                desk = Desk(ws)
                await desk.snapshot()
                await http.post("/api/desk/presence", json={"state": "available"}, headers=auth)
                await desk.until(_presence("available"))
                assert (await http.post("/api/desk/next", headers=auth)).status_code == 200
                key = {"Idempotency-Key": uuid.uuid4().hex}
                body = {"contact_point_id": made.phone_ids[0]}
                path = f"/api/desk/tasks/{made.delivery_id}/call"
                placed = await http.post(path, json=body, headers={**auth, **key})
                assert placed.status_code == 200, placed.text
                call_id = placed.json()["call_id"]
                again = await http.post(path, json=body, headers={**auth, **key})
                assert again.json() == {**placed.json(), "created": False}

                await desk.until(_call_state(call_id, "agent_ringing", "agent_connected"))
                await _send_again(_place_call_sent_for(call_id, key["Idempotency-Key"]))
                on_call = await desk.until(_presence("on_call"))
                assert on_call["presence"]["call_id"] == call_id
                await desk.until(_call_state(call_id, "talking"))
                boss = await _login(http, supervisor)
                live = (await http.get("/api/calls/live", headers=boss)).json()
                assert [(c["call_id"], c["state"], c["state_label"]) for c in live] == [
                    (call_id, "talking", "通话中")
                ]
                listen = await http.post(f"/api/wall/calls/{call_id}/listen", json={}, headers=boss)
                assert listen.status_code == 200, listen.text
                assert await asyncio.to_thread(supervisor_phone.answered.wait, CALL_STEP), "no listen-in"
                ended = await desk.until(_call_state(call_id, "ended"), timeout=40)
                assert ended["call"]["outcome"] == "answered"
                await desk.until(_presence("wrap_up"))
                return str(call_id)

    logins_before = len(ami.matching(_ami_login))
    with (
        api_process(database_url=database_url, **owner_settings),
        api_process(database_url=database_url) as second,
    ):
        ami.wait_for(lambda: _nth(ami.matching(_ami_login), logins_before), timeout=10)  # the owner's
        call_id = asyncio.run(scenario(second))
        assert _recording_status(call_id) is RecordingStatus.complete
    assert agent_phone.answered.is_set()
    agent_legs = ami.matching(
        lambda m: (
            m.get("Event") == "Newchannel" and m.get("Channel", "").startswith(f"PJSIP/{AGENT_EXTENSION}-")
        )
    )
    assert len(agent_legs) == 1, "the command sent twice placed a second call"


async def _login(http: httpx.AsyncClient, user: User) -> dict[str, str]:
    login = await http.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    return {"Authorization": f"Bearer {login.json()['token']}"}


def _ami_login(message: Message) -> bool:
    return message.get("Event") == "SuccessfulAuth" and message.get("Service") == "AMI"


def _nth(messages: list[dict[str, str]], index: int) -> dict[str, str] | None:
    return messages[index] if len(messages) > index else None


def _place_call_sent_for(call_id: str, idempotency_key: str) -> PlaceCall:
    with database.get_session() as session:
        record = call_service.get_call(db_session=session, call_id=call_id)
        assert record is not None
        return PlaceCall(
            idempotency_key=idempotency_key,
            call_id=call_id,
            agent_extension=record.agent_endpoint,
            prefer_browser_phone=True,
            number=record.number_dialled,
        )
