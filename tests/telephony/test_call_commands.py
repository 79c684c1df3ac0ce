"""Call commands between processes over real Redis, without Asterisk: the owner's answer comes back to
the process that asked (a call not in progress, AMI unreachable), a command nobody answers is refused
in time, and a command that reaches the owner after it expired is dropped unanswered."""

import asyncio
import os
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from backend.core.streams import DataclassCodec, RedisStream
from telephony.command_server import CallCommandServer, LocalCallCommands
from telephony.commands import CommandReply, CommandRequest, CommandRequestCodec, HangUpCall, PlaceCall
from telephony.control import CallControl, CallNotLive, ami_settings_for
from telephony.remote_commands import CallControlUnavailable, RemoteCallCommands

REDIS_URL = os.environ.get("SONGDA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WAIT = 5.0


@pytest.fixture()
def names() -> Iterator[tuple[str, str]]:
    """Private command and reply streams, so that no other test's owner answers."""
    prefix = f"songda:test:{uuid.uuid4().hex}"
    yield f"{prefix}:commands", f"{prefix}:replies"
    with redis.Redis.from_url(REDIS_URL) as client:
        client.delete(f"{prefix}:commands", f"{prefix}:replies")


def _streams(names: tuple[str, str]) -> tuple[RedisStream[CommandRequest], RedisStream[CommandReply]]:
    requests = RedisStream(REDIS_URL, name=names[0], codec=CommandRequestCodec())
    replies = RedisStream(REDIS_URL, name=names[1], codec=DataclassCodec(CommandReply))
    return requests, replies


def _owner_without_asterisk(names: tuple[str, str]) -> CallCommandServer:
    """The owner's command server, its call control never connected (AMI unreachable)."""
    control = CallControl(ami_settings_for(host="127.0.0.1", port=9, username="songda", secret="x"))
    requests, replies = _streams(names)
    return CallCommandServer(LocalCallCommands(control), requests=requests, replies=replies)


def _call(key: str) -> PlaceCall:
    return PlaceCall(
        idempotency_key=key, call_id=uuid.uuid4().hex, agent_extension="1001", number="13800138000"
    )


def test_the_owners_answer_comes_back_to_the_process_that_asked(names: tuple[str, str]) -> None:
    async def scenario() -> None:
        owner = _owner_without_asterisk(names)
        requests, replies = _streams(names)
        remote = RemoteCallCommands(requests=requests, replies=replies, timeout=WAIT)
        await owner.start()
        await remote.start()
        try:
            with pytest.raises(CallNotLive):
                await remote.hang_up(uuid.uuid4().hex)
            key = uuid.uuid4().hex
            with pytest.raises(CallControlUnavailable):
                await remote.place(_call(key))
            pipeline = owner.commands.control.pipeline
            emitted = pipeline.emitted  # CallOriginated, OriginateFailed...: one Originate was tried
            with pytest.raises(CallControlUnavailable):  # the same key again, as in a retried request
                await remote.place(_call(key))
            assert emitted > 0 and pipeline.emitted == emitted  # the first outcome, no second Originate
        finally:
            await remote.stop()
            await owner.stop()

    asyncio.run(scenario())


def test_a_command_nobody_answers_is_refused_in_time(names: tuple[str, str]) -> None:
    async def scenario() -> float:
        requests, replies = _streams(names)
        remote = RemoteCallCommands(requests=requests, replies=replies, timeout=0.3)
        await remote.start()
        started = time.monotonic()
        try:
            with pytest.raises(CallControlUnavailable):
                await remote.place(_call(uuid.uuid4().hex))
        finally:
            await remote.stop()
        return time.monotonic() - started

    assert asyncio.run(scenario()) < WAIT


def test_a_command_that_arrives_expired_is_dropped_unanswered(names: tuple[str, str]) -> None:
    expired = CommandRequest(
        command_id="expired", expires_at=time.time() - 1, command=HangUpCall(call_id=uuid.uuid4().hex)
    )

    async def scenario() -> None:
        owner = _owner_without_asterisk(names)
        requests, replies = _streams(names)
        remote = RemoteCallCommands(requests=requests, replies=replies, timeout=WAIT)
        await owner.start()
        await remote.start()
        try:
            await requests.publish([expired])
            with pytest.raises(CallNotLive):  # a live command after it is answered: the owner read both
                await remote.hang_up(uuid.uuid4().hex)
        finally:
            await remote.stop()
            await owner.stop()

    asyncio.run(scenario())
    with redis.Redis.from_url(REDIS_URL) as client:
        assert client.xlen(names[1]) == 1  # one reply: none for the expired command
