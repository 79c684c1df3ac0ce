"""The call-event bus, chosen by URL like encode/broadcaster: `memory://` in one process, `redis://` across
processes. Every subscriber sees every event published after it subscribed, in order.

Redis uses one Stream (XADD with an approximate MAXLEN, XREAD per subscriber), so a subscriber that
briefly loses its Redis connection resumes from its last id instead of losing events like pub/sub would.
Each entry holds one published batch of events (field `events`, a JSON list), in order.
"""

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from telephony.events import CallEvent, event_from_dict, event_to_dict

DEFAULT_STREAM = "songda:call-events"
STREAM_MAXLEN = 100_000  # entries, each a batch of up to EVENTS_PER_ENTRY events
# One stream entry per published batch: one XADD per batch, not per event, keeps publishing cheap.
EVENTS_PER_ENTRY = 500
RETRY_DELAY = 0.5


class EventBus(ABC):
    """Publish typed call events; subscribe to the stream of them."""

    async def connect(self) -> None:  # noqa: B027 - optional hook
        """Open connections (no-op for the memory bus)."""

    async def disconnect(self) -> None:  # noqa: B027 - optional hook
        """Close connections."""

    @abstractmethod
    async def publish(self, events: Sequence[CallEvent]) -> None:
        """Publish EVENTS in order, as one batch."""

    @abstractmethod
    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[CallEvent]]:
        """`async with bus.subscribe() as events: async for event in events: ...`"""


class MemoryEventBus(EventBus):
    """In-process fan-out: one unbounded queue per subscriber."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[CallEvent]] = set()

    async def publish(self, events: Sequence[CallEvent]) -> None:
        for queue in self._queues:
            for event in events:
                queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[CallEvent]]:
        queue: asyncio.Queue[CallEvent] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield _drain(queue)
        finally:
            self._queues.discard(queue)


async def _drain(queue: "asyncio.Queue[CallEvent]") -> AsyncIterator[CallEvent]:
    while True:
        yield await queue.get()


class RedisEventBus(EventBus):
    """A Redis Stream shared by every process connected to the same Redis."""

    def __init__(self, url: str, *, stream: str = DEFAULT_STREAM, maxlen: int = STREAM_MAXLEN) -> None:
        self.url, self.stream, self.maxlen = url, stream, maxlen
        self._redis: Any = None

    async def connect(self) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(self.url)
        await self._redis.ping()

    async def disconnect(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def publish(self, events: Sequence[CallEvent]) -> None:
        if not events:
            return
        async with self._client().pipeline(transaction=False) as pipe:
            for start in range(0, len(events), EVENTS_PER_ENTRY):
                batch = [event_to_dict(event) for event in events[start : start + EVENTS_PER_ENTRY]]
                payload = json.dumps(batch, ensure_ascii=False)
                pipe.xadd(self.stream, {"events": payload}, maxlen=self.maxlen, approximate=True)
            await pipe.execute()

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[CallEvent]]:
        client = self._client()
        latest = await client.xrevrange(self.stream, count=1)
        last_id = latest[0][0] if latest else b"0-0"
        yield self._read_from(client, last_id)

    async def _read_from(self, client: Any, last_id: bytes) -> AsyncIterator[CallEvent]:
        from redis.exceptions import ConnectionError as RedisConnectionError

        while True:
            try:
                batches = await client.xread({self.stream: last_id}, count=1000, block=1000)
            except RedisConnectionError:
                await asyncio.sleep(RETRY_DELAY)  # Redis restarting: resume from the last id seen
                continue
            for _stream, entries in batches:
                for entry_id, fields in entries:
                    last_id = entry_id
                    for data in json.loads(fields[b"events"]):
                        yield event_from_dict(data)

    def _client(self) -> Any:
        if self._redis is None:
            raise RuntimeError("RedisEventBus.connect() was not awaited")
        return self._redis


def bus_from_url(url: str) -> EventBus:
    """`memory://` or `redis://host:port/db` (also `rediss://`)."""
    if url.startswith("memory://"):
        return MemoryEventBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisEventBus(url)
    raise ValueError(f"unsupported event bus URL: {url}")
