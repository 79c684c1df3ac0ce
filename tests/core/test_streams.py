"""Typed streams: memory:// within a process, redis:// shared by processes (real Redis). Every subscriber
sees every message published after it subscribed, in order, typed as it was published; a Redis
subscriber whose connection is cut resumes where it was."""

import asyncio
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis

from backend.core.streams import (
    MESSAGES_PER_ENTRY,
    MemoryStream,
    RedisStream,
    Stream,
    shared_stream,
    stream_from_url,
)
from backend.desk.messages import (
    DESK_CODEC,
    AgentChanged,
    DeskMessage,
    FiguresChanged,
    QueueChanged,
    TaskChanged,
)
from telephony.events import AgentAnswered, CallEvent, CallEventCodec, HungUp, Leg

REDIS_URL = os.environ.get("SONGDA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT = 5.0
T = TypeVar("T")


def call_events(call_id: str) -> list[CallEvent]:
    now = datetime.now(UTC)
    return [
        AgentAnswered(call_id=call_id, at=now, channel="PJSIP/1006-00000001"),
        HungUp(
            call_id=call_id, at=now, channel="PJSIP/1006-00000001", leg=Leg.agent, cause=16, cause_text="ok"
        ),
    ]


def desk_messages() -> list[DeskMessage]:
    return [
        AgentChanged(user_id=3, agent={"user_id": 3, "state": "available", "full_name": "王芳"}),
        TaskChanged(user_id=3, task=None),
        TaskChanged(user_id=4, task={"delivery_id": 9, "party_name": "刘洋"}),
        QueueChanged(),
        FiguresChanged(),
    ]


@pytest.fixture()
def stream_name() -> Iterator[str]:
    name = f"songda:test:{uuid.uuid4().hex}"
    yield name
    with redis.Redis.from_url(REDIS_URL) as client:
        client.delete(name)


@asynccontextmanager
async def collecting(stream: Stream[T], count: int) -> AsyncIterator["asyncio.Task[list[T]]"]:
    """A subscriber of STREAM (subscribed on entry) collecting COUNT messages."""
    subscribed = asyncio.Event()

    async def collect() -> list[T]:
        received: list[T] = []
        async with stream.subscribe() as messages:
            subscribed.set()
            async for message in messages:
                received.append(message)
                if len(received) == count:
                    break
        return received

    task = asyncio.create_task(collect())
    await asyncio.wait_for(subscribed.wait(), WAIT)
    try:
        yield task
    finally:
        task.cancel()


async def fan_out(publisher: Stream[T], subscribers: list[Stream[T]], messages: list[T]) -> list[list[T]]:
    async with (
        collecting(subscribers[0], len(messages)) as first,
        collecting(subscribers[-1], len(messages)) as last,
    ):
        await publisher.publish(messages)
        return [await asyncio.wait_for(first, WAIT), await asyncio.wait_for(last, WAIT)]


def test_the_backend_is_chosen_by_url() -> None:
    codec = CallEventCodec()
    assert isinstance(stream_from_url("memory://", name="x", codec=codec), MemoryStream)
    assert isinstance(stream_from_url(REDIS_URL, name="x", codec=codec), RedisStream)
    with pytest.raises(ValueError):
        stream_from_url("kafka://x", name="x", codec=codec)


def test_a_shared_stream_is_one_per_url_and_name() -> None:
    first = shared_stream("memory://", name="songda:test:shared", codec=DESK_CODEC)
    assert shared_stream("memory://", name="songda:test:shared", codec=DESK_CODEC) is first
    assert shared_stream("memory://", name="songda:test:other", codec=DESK_CODEC) is not first


def test_messages_survive_their_codec() -> None:
    for message in desk_messages():
        assert DESK_CODEC.decode(DESK_CODEC.encode(message)) == message
    codec = CallEventCodec()
    for event in call_events(uuid.uuid4().hex):
        assert codec.decode(codec.encode(event)) == event


def test_memory_stream_gives_every_subscriber_every_message_in_order() -> None:
    stream: MemoryStream[DeskMessage] = MemoryStream()
    messages = desk_messages()
    assert asyncio.run(fan_out(stream, [stream, stream], messages)) == [messages, messages]


def test_memory_stream_takes_messages_published_from_other_threads() -> None:
    stream: MemoryStream[DeskMessage] = MemoryStream()
    batches = [[TaskChanged(user_id=n, task=None), QueueChanged()] for n in range(50)]

    async def run() -> list[DeskMessage]:
        async with collecting(stream, 100) as subscriber:
            publisher = threading.Thread(target=lambda: [stream.publish_now(b) for b in batches])
            publisher.start()
            received = await asyncio.wait_for(subscriber, WAIT)
            publisher.join()
            return received

    assert asyncio.run(run()) == [message for batch in batches for message in batch]


def test_redis_stream_is_one_stream_for_separate_connections(stream_name: str) -> None:
    messages = call_events(uuid.uuid4().hex)

    async def run() -> list[list[CallEvent]]:
        streams = [RedisStream(REDIS_URL, name=stream_name, codec=CallEventCodec()) for _ in range(3)]
        await streams[0].connect()
        try:
            return await fan_out(streams[0], streams[1:], messages)
        finally:
            await streams[0].disconnect()

    assert asyncio.run(run()) == [messages, messages]


def test_redis_publishes_one_entry_per_batch_within_maxlen(stream_name: str) -> None:
    stream = RedisStream(REDIS_URL, name=stream_name, codec=DESK_CODEC, maxlen=10)
    messages: list[DeskMessage] = [TaskChanged(user_id=n, task=None) for n in range(MESSAGES_PER_ENTRY + 1)]

    async def run() -> list[DeskMessage]:
        async with collecting(stream, len(messages)) as subscriber:
            stream.publish_now(messages)  # from a thread with no loop, as after a commit
            return await asyncio.wait_for(subscriber, WAIT)

    assert asyncio.run(run()) == messages
    with redis.Redis.from_url(REDIS_URL) as client:
        assert client.xlen(stream_name) == 2  # a batch is split only past MESSAGES_PER_ENTRY
        for _ in range(200):
            stream.publish_now([QueueChanged()])
        assert client.xlen(stream_name) < 200  # trimmed (approximately) to MAXLEN


def test_a_redis_subscriber_whose_connection_is_cut_resumes_where_it_was(stream_name: str) -> None:
    stream = RedisStream(REDIS_URL, name=stream_name, codec=DESK_CODEC)
    before = [TaskChanged(user_id=n, task=None) for n in range(3)]
    while_cut = [TaskChanged(user_id=n, task=None) for n in range(3, 6)]

    async def run() -> list[DeskMessage]:
        async with collecting(stream, 6) as subscriber:
            stream.publish_now(before)
            await _until(lambda: _reading_clients(stream_name) > 0)
            _kill_readers(stream_name)
            stream.publish_now(while_cut)
            return await asyncio.wait_for(subscriber, WAIT)

    assert asyncio.run(run()) == [*before, *while_cut]


def _clients_reading(name: str) -> list[dict[str, Any]]:
    with redis.Redis.from_url(REDIS_URL) as client:
        return [c for c in client.client_list() if c.get("cmd") == "xread" and name in c.get("name", "")]


def _reading_clients(name: str) -> int:
    return len(_clients_reading(name))


def _kill_readers(name: str) -> None:
    with redis.Redis.from_url(REDIS_URL) as client:
        for reader in _clients_reading(name):
            client.client_kill_filter(_id=reader["id"])


async def _until(condition: Any) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def test_another_process_reads_what_this_one_publishes(stream_name: str) -> None:
    call_id = uuid.uuid4().hex
    reader = subprocess.Popen(
        [sys.executable, "-c", _SUBSCRIBER.format(url=REDIS_URL, name=stream_name)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "subscribed"

        async def publish() -> None:
            stream = RedisStream(REDIS_URL, name=stream_name, codec=CallEventCodec())
            await stream.connect()
            await stream.publish(call_events(call_id))
            await stream.disconnect()

        asyncio.run(publish())
        out, _ = reader.communicate(timeout=10)
    finally:
        reader.kill()
    assert out.split() == [f"AgentAnswered:{call_id}", f"HungUp:{call_id}"]


_SUBSCRIBER = """
import asyncio
from backend.core.streams import RedisStream
from telephony.events import CallEventCodec

async def main():
    stream = RedisStream("{url}", name="{name}", codec=CallEventCodec())
    async with stream.subscribe() as events:
        print("subscribed", flush=True)
        seen = 0
        async for event in events:
            print(f"{{event.kind}}:{{event.call_id}}", flush=True)
            seen += 1
            if seen == 2:
                break

asyncio.run(main())
"""


def test_a_redis_subscription_ends_when_cancelled_right_after_a_message(stream_name: str) -> None:
    stream = RedisStream(REDIS_URL, name=stream_name, codec=DESK_CODEC)

    async def run() -> None:
        subscribed, received = asyncio.Event(), asyncio.Event()

        async def read() -> None:
            async with stream.subscribe() as messages:
                subscribed.set()
                async for _message in messages:
                    received.set()

        reader = asyncio.create_task(read())
        await asyncio.wait_for(subscribed.wait(), WAIT)
        stream.publish_now([QueueChanged()])
        await asyncio.wait_for(received.wait(), WAIT)
        reader.cancel()  # as it reads again: as when a process stops
        await asyncio.wait_for(asyncio.gather(reader, return_exceptions=True), 3)

    asyncio.run(run())
