"""The hub of the process that owns call control takes call events from the pipeline as they are accepted.
A call whose owner is not known yet waits for a database lookup; the events behind it wait with it, so
every client still sees the calls' updates in the order the events happened."""

import asyncio
import itertools
import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session as DbSession

from agent_desk.clients import DeskClient
from agent_desk.hub import DeskHub
from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
from backend.desk.bus import MemoryDeskBus
from backend.desk.live_calls import LiveCallBoard
from telephony.events import CallEnded, CallEvent
from telephony.pipeline import EventPipeline
from tests.desk.world import add_delivery, call_events, new_extension, place_call, set_available, take_next

WAIT = 10.0


def _interleaved(first: list[CallEvent], second: list[CallEvent]) -> list[CallEvent]:
    pairs = itertools.zip_longest(first, second)
    return [event for pair in pairs for event in pair if event is not None]


def _expected_updates(events: list[CallEvent]) -> list[tuple[str, str]]:
    board = LiveCallBoard()
    updates = (board.apply(event, None) for event in events)
    return [(data["call_id"], data["state"]) for data in updates if data is not None]


async def _calls_updates(wall: DeskClient, count: int) -> list[dict[str, Any]]:
    updates: list[dict[str, Any]] = []
    while len(updates) < count:
        text = await asyncio.wait_for(wall.outbox.get(), WAIT)
        message = json.loads(text or "{}")
        if message.get("type") == "event" and message.get("topic") == "calls":
            updates.append(message["data"])
    return updates


def test_events_behind_an_owner_lookup_keep_their_order(
    db_session: DbSession, make_user: Callable[..., User]
) -> None:
    made = add_delivery()
    agent = make_user(Role.agent, sip_extension=new_extension())
    set_available(agent.id)
    take_next(agent.id)
    known = place_call(agent.id, made.delivery_id, made.phone_ids[0])
    unknown = uuid.uuid4().hex  # no call record: looked up in the database at every event
    known_first, *known_rest = call_events(known, answered=True)
    events = [
        known_first,
        *_interleaved(call_events(unknown, answered=False, agent_endpoint="7002"), known_rest),
    ]
    expected = _expected_updates(events)

    async def scenario() -> list[dict[str, Any]]:
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
            return first + await _calls_updates(wall, len(expected) - 1)
        finally:
            await hub.stop()

    updates = asyncio.run(scenario())
    assert [(data["call_id"], data["state"]) for data in updates] == expected
    assert {data["agent_user_id"] for data in updates if data["call_id"] == known} == {agent.id}
    assert {data["agent_user_id"] for data in updates if data["call_id"] == unknown} == {None}
    assert any(isinstance(event, CallEnded) for event in events)
