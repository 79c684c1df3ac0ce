"""The hub of the process that owns call control takes call events from the pipeline as they are accepted.
A call whose owner is not known yet waits for a database lookup: its own events wait with it, in order,
while the other calls' events go on."""

import asyncio
import itertools
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session as DbSession

from agent_desk import db_work
from agent_desk.clients import DeskClient
from agent_desk.hub import DeskHub
from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
from backend.desk.bus import MemoryDeskBus
from backend.desk.live_calls import CallOwner, LiveCallBoard
from telephony.events import CallEvent
from telephony.pipeline import EventPipeline
from tests.desk.world import call_events, calling_a_new_task, new_extension

WAIT = 10.0


def _interleaved(first: list[CallEvent], second: list[CallEvent]) -> list[CallEvent]:
    pairs = itertools.zip_longest(first, second)
    return [event for pair in pairs for event in pair if event is not None]


def _expected_states(events: list[CallEvent], call_id: str) -> list[str]:
    board = LiveCallBoard()
    updates = (board.apply(event, None) for event in events if event.call_id == call_id)
    return [data["state"] for data in updates if data is not None]


async def _calls_updates(wall: DeskClient, count: int) -> list[dict[str, Any]]:
    updates: list[dict[str, Any]] = []
    while len(updates) < count:
        text = await asyncio.wait_for(wall.outbox.get(), WAIT)
        message = json.loads(text or "{}")
        if message.get("type") == "event" and message.get("topic") == "calls":
            updates.append(message["data"])
    return updates


def test_a_call_waiting_for_its_owner_holds_up_only_its_own_events(
    db_session: DbSession, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = make_user(Role.agent, sip_extension=new_extension())
    _, known = calling_a_new_task(agent.id)
    unknown = uuid.uuid4().hex  # no call record; its lookup is held until the known call's updates are out
    lookup_may_finish = threading.Event()
    load_owner = db_work.load_owner

    def held_load_owner(call_id: str) -> CallOwner | None:
        if call_id == unknown:
            assert lookup_may_finish.wait(WAIT)
        return load_owner(call_id)

    monkeypatch.setattr(db_work, "load_owner", held_load_owner)
    known_first, *known_rest = call_events(known, answered=True)
    events = [
        known_first,
        *_interleaved(call_events(unknown, answered=False, agent_endpoint="7002"), known_rest),
    ]
    known_states, unknown_states = _expected_states(events, known), _expected_states(events, unknown)

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        pipeline = EventPipeline()
        hub = DeskHub(settings=get_settings(), desk_bus=MemoryDeskBus(), call_pipeline=pipeline)
        await hub.start()
        wall = DeskClient(user_id=0, role=Role.supervisor, token_sha256="")
        wall.topics.add("calls")
        hub.register(wall)
        try:
            pipeline.inject([known_first])
            first = await _calls_updates(wall, 1)  # the known call's owner is remembered from now on
            for event in events[1:]:
                pipeline.inject([event])
            while_held = first + await _calls_updates(wall, len(known_states) - 1)
            lookup_may_finish.set()
            return while_held, await _calls_updates(wall, len(unknown_states))
        finally:
            lookup_may_finish.set()
            await hub.stop()

    while_held, after = asyncio.run(scenario())
    assert [(data["call_id"], data["state"]) for data in while_held] == [(known, s) for s in known_states]
    assert [(data["call_id"], data["state"]) for data in after] == [(unknown, s) for s in unknown_states]
    assert {data["agent_user_id"] for data in while_held} == {agent.id}
    assert {data["agent_user_id"] for data in after} == {None}
