"""A wall that stops reading, on a real API process: the other walls go on getting every event at once;
its own events wait behind the write its socket holds up, in order, and once too many wait it is closed
with 1013 (what it got before is a gapless run of its events)."""

import asyncio
import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import websockets
from sqlalchemy.orm import Session as DbSession
from websockets.exceptions import ConnectionClosed

from agent_desk.clients import WAITING_LIMIT, CloseCode
from backend.auth.models import User
from backend.auth.roles import Role
from telephony.events import CallEvent, CallHeld
from tests.desk.live import auth_message
from tests.desk.servers import api_process
from tests.desk.test_processes import _publish, _token
from tests.desk.world import call_events, calling_a_new_task, new_extension

WAIT = 30.0
# Enough to fill the kernel's buffers on both ends and the server's write buffer (each event is a
# frame of about 400 bytes), and then WAITING_LIMIT more.
HOLDS = 12_000
SMALL_RECEIVE_BUFFER = 4096  # bytes; set before connecting, the kernel never grows it


def _holds(call_id: str, count: int) -> list[CallEvent]:
    start = datetime.now(UTC)
    return [
        CallHeld(
            call_id=call_id, at=start + timedelta(microseconds=n), channel="PJSIP/7001-1", on_hold=n % 2 == 0
        )
        for n in range(count)
    ]


def _slow_socket(base_url: str) -> socket.socket:
    """A connected socket with a small receive buffer: unread frames soon hold up the server's writes."""
    address = urlsplit(base_url)
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_RECEIVE_BUFFER)
    raw.connect((address.hostname, address.port))
    raw.setblocking(False)
    return raw


async def _until_snapshot(ws: Any) -> None:
    while json.loads(await asyncio.wait_for(ws.recv(), WAIT))["type"] != "snapshot":
        pass


async def _events(ws: Any, count: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while len(events) < count:
        frame = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        messages = frame["data"] if frame["type"] == "batch" else [frame]
        events.extend(m for m in messages if m["type"] == "event")
    return events


async def _everything_until_closed(ws: Any) -> tuple[list[dict[str, Any]], int | None]:
    messages: list[dict[str, Any]] = []
    try:
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            messages.extend(frame["data"] if frame["type"] == "batch" else [frame])
    except ConnectionClosed as closed:
        return messages, closed.rcvd.code if closed.rcvd else None


def test_a_wall_that_stops_reading_is_closed_with_1013_and_holds_up_no_one(
    database_url: str, db_session: DbSession, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent, sip_extension=new_extension())
    supervisor = make_user(Role.supervisor)
    _, call_id = calling_a_new_task(agent.id)
    token = _token(supervisor.id)
    originated, *_ = call_events(call_id, answered=True)
    holds = _holds(call_id, HOLDS)

    async def scenario(base_url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int | None]:
        url = f"{base_url.replace('http', 'ws')}/ws"
        async with (
            websockets.connect(url, compression=None, max_size=None) as reading,
            websockets.connect(
                url, compression=None, max_queue=1, sock=_slow_socket(base_url)
            ) as stopped,  # reads its socket only while the test waits on it
        ):
            for ws in (reading, stopped):
                await ws.send(auth_message(token, "calls", batch=True))
                await _until_snapshot(ws)
            await _publish([originated])
            await _events(reading, 1)
            await _publish(holds)
            read = await _events(reading, HOLDS)
            return read, *await _everything_until_closed(stopped)

    with api_process(database_url=database_url) as base_url:
        read, stopped_got, close_code = asyncio.run(scenario(base_url))

    assert [event["data"]["on_hold"] for event in read] == [n % 2 == 0 for n in range(HOLDS)]
    assert [event["seq"] for event in read] == list(range(2, HOLDS + 2))
    assert close_code == CloseCode.TOO_SLOW
    got = [m for m in stopped_got if m["type"] == "event"]
    assert [event["seq"] for event in got] == list(range(1, len(got) + 1))  # no gap, nothing twice
    assert len(got) < HOLDS + 1 - WAITING_LIMIT
    assert [event["data"]["on_hold"] for event in got[1:]] == [n % 2 == 0 for n in range(len(got) - 1)]
