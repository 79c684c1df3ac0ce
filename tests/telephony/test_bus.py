"""The call-event bus: memory:// within a process, redis:// shared by several processes (real Redis)."""

import asyncio
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from telephony.bus import EventBus, MemoryEventBus, RedisEventBus, bus_from_url
from telephony.events import AgentAnswered, CallEvent, HungUp, Leg

REDIS_URL = "redis://127.0.0.1:6379/0"
REPO_ROOT = Path(__file__).resolve().parents[2]


def sample_events(call_id: str) -> list[CallEvent]:
    now = datetime.now(UTC)
    return [
        AgentAnswered(call_id=call_id, at=now, channel="PJSIP/1006-00000001"),
        HungUp(
            call_id=call_id, at=now, channel="PJSIP/1006-00000001", leg=Leg.agent, cause=16, cause_text="ok"
        ),
    ]


async def collect(bus: EventBus, count: int, started: asyncio.Event) -> list[CallEvent]:
    received: list[CallEvent] = []
    async with bus.subscribe() as events:
        started.set()
        async for event in events:
            received.append(event)
            if len(received) == count:
                return received
    return received


async def fan_out(
    publisher: EventBus, subscribers: list[EventBus], events: list[CallEvent]
) -> list[list[CallEvent]]:
    ready = [asyncio.Event() for _ in subscribers]
    tasks = [
        asyncio.create_task(collect(bus, len(events), flag))
        for bus, flag in zip(subscribers, ready, strict=True)
    ]
    for flag in ready:
        await asyncio.wait_for(flag.wait(), 5)
    await publisher.publish(events)
    return list(await asyncio.wait_for(asyncio.gather(*tasks), 5))


def test_bus_is_chosen_by_url() -> None:
    assert isinstance(bus_from_url("memory://"), MemoryEventBus)
    assert isinstance(bus_from_url(REDIS_URL), RedisEventBus)
    with pytest.raises(ValueError):
        bus_from_url("kafka://x")


def test_memory_bus_gives_every_subscriber_every_event() -> None:
    bus = MemoryEventBus()
    events = sample_events(uuid.uuid4().hex)
    assert asyncio.run(fan_out(bus, [bus, bus], events)) == [events, events]


def test_redis_bus_is_one_stream_for_separate_connections() -> None:
    stream = f"songda:test:{uuid.uuid4().hex}"
    events = sample_events(uuid.uuid4().hex)

    async def run() -> list[list[CallEvent]]:
        buses = [RedisEventBus(REDIS_URL, stream=stream) for _ in range(3)]
        for bus in buses:
            await bus.connect()
        try:
            return await fan_out(buses[0], buses[1:], events)
        finally:
            await buses[0]._client().delete(stream)
            for bus in buses:
                await bus.disconnect()

    assert asyncio.run(run()) == [events, events]


def test_another_process_reads_what_this_one_publishes() -> None:
    stream = f"songda:test:{uuid.uuid4().hex}"
    call_id = uuid.uuid4().hex
    reader = subprocess.Popen(
        [sys.executable, "-c", _SUBSCRIBER.format(url=REDIS_URL, stream=stream)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "subscribed"

        async def publish() -> None:
            bus = RedisEventBus(REDIS_URL, stream=stream)
            await bus.connect()
            await bus.publish(sample_events(call_id))
            await bus._client().delete(stream)
            await bus.disconnect()

        asyncio.run(publish())
        out, _ = reader.communicate(timeout=10)
    finally:
        reader.kill()
    assert out.split() == [f"AgentAnswered:{call_id}", f"HungUp:{call_id}"]


_SUBSCRIBER = """
import asyncio
from telephony.bus import RedisEventBus

async def main():
    bus = RedisEventBus("{url}", stream="{stream}")
    await bus.connect()
    async with bus.subscribe() as events:
        print("subscribed", flush=True)
        seen = 0
        async for event in events:
            print(f"{{event.kind}}:{{event.call_id}}", flush=True)
            seen += 1
            if seen == 2:
                break
    await bus.disconnect()

asyncio.run(main())
"""
