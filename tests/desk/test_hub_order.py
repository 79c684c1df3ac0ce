"""The hub of the process that owns call control takes call events from the pipeline as they are accepted.
A call whose owner is not known yet waits for a database lookup: its own events wait with it, in order,
while the other calls' events go on. A call Songda placed names its owner in CallOriginated: no lookup."""

import asyncio
import dataclasses
import itertools
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from agent_desk import db_work
from agent_desk.clients import DeskClient
from agent_desk.hub import DeskHub
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls.models import CallRecord
from backend.config import get_settings
from backend.core.streams import MemoryStream
from backend.desk.live_calls import CallOwner, LiveCallBoard
from telephony.events import CallEvent, CallOriginated
from telephony.pipeline import EventPipeline
from tests.desk.sockets import RecordingSocket
from tests.desk.world import call_events, calling_a_new_task, new_extension

WAIT = 10.0


def _interleaved(first: list[CallEvent], second: list[CallEvent]) -> list[CallEvent]:
    pairs = itertools.zip_longest(first, second)
    return [event for pair in pairs for event in pair if event is not None]


def _expected_states(events: list[CallEvent], call_id: str) -> list[str]:
    board = LiveCallBoard()
    updates = (board.apply(event, None) for event in events if event.call_id == call_id)
    return [data["state"] for data in updates if data is not None]


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
        hub = DeskHub(settings=get_settings(), desk_stream=MemoryStream(), call_pipeline=pipeline)
        await hub.start()
        socket = RecordingSocket()
        wall = DeskClient(
            user_id=0, role=Role.supervisor, token_sha256="", outgoing=hub.outgoing, socket=socket
        )
        wall.topics.add("calls")
        hub.register(wall)
        try:
            pipeline.inject([known_first])
            await socket.wait_events("calls", 1, WAIT)  # the known call's owner is remembered from now on
            for event in events[1:]:
                pipeline.inject([event])
            while_held = await socket.wait_events("calls", len(known_states), WAIT)
            lookup_may_finish.set()
            everything = await socket.wait_events("calls", len(known_states) + len(unknown_states), WAIT)
            return while_held, everything[len(while_held) :]
        finally:
            lookup_may_finish.set()
            await hub.stop()

    while_held, after = asyncio.run(scenario())
    assert [(data["call_id"], data["state"]) for data in while_held] == [(known, s) for s in known_states]
    assert [(data["call_id"], data["state"]) for data in after] == [(unknown, s) for s in unknown_states]
    assert {data["agent_user_id"] for data in while_held} == {agent.id}
    assert {data["agent_user_id"] for data in after} == {None}


def test_a_call_songda_placed_names_its_owner_and_needs_no_lookup(
    db_session: DbSession, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = make_user(Role.agent, sip_extension=new_extension())
    made, call_id = calling_a_new_task(agent.id)
    looked_up: list[str] = []

    def refused_load_owner(call_id: str) -> CallOwner | None:
        looked_up.append(call_id)
        raise AssertionError("a call whose CallOriginated names its owner is not looked up")

    monkeypatch.setattr(db_work, "load_owner", refused_load_owner)
    originated, *rest = call_events(call_id, answered=True)
    assert isinstance(originated, CallOriginated)
    record = db_session.scalar(select(CallRecord).where(CallRecord.call_id == call_id))
    assert record is not None
    attempt_id = record.delivery_attempt_id
    named = dataclasses.replace(
        originated, agent_user_id=agent.id, delivery_id=made.delivery_id, attempt_id=attempt_id
    )
    expected_states = _expected_states([named, *rest], call_id)

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        pipeline = EventPipeline()
        hub = DeskHub(settings=get_settings(), desk_stream=MemoryStream(), call_pipeline=pipeline)
        await hub.start()
        on_wall, on_desk = RecordingSocket(), RecordingSocket()
        wall = DeskClient(
            user_id=0, role=Role.supervisor, token_sha256="", outgoing=hub.outgoing, socket=on_wall
        )
        desk = DeskClient(
            user_id=agent.id, role=Role.agent, token_sha256="", outgoing=hub.outgoing, socket=on_desk
        )
        wall.topics.add("calls")
        desk.topics.add("me")
        hub.register(wall)
        hub.register(desk)
        try:
            for event in [named, *rest]:
                pipeline.inject([event])
            return on_wall.events("calls"), on_desk.events("me")  # written within inject: nothing waited
        finally:
            await hub.stop()

    on_wall, on_desk = asyncio.run(scenario())
    assert looked_up == []
    assert [(data["call_id"], data["state"]) for data in on_wall] == [(call_id, s) for s in expected_states]
    owners = {(data["agent_user_id"], data["delivery_id"], data["attempt_id"]) for data in on_wall}
    assert owners == {(agent.id, made.delivery_id, attempt_id)}
    assert [data["call"]["state"] for data in on_desk if data["kind"] == "call"] == expected_states
