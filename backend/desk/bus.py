"""The desk bus: desk events (presence, task locks, queue and figure changes) shared by every API
process, chosen by URL like the call-event bus: `memory://` in one process, `redis://` across processes.

Publishing is synchronous and thread-safe (it runs right after a database commit, in whichever thread
committed); subscribing is async (the websocket hub). Redis keeps the events in their own Stream.
"""

import asyncio
import json
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

DeskMessage = dict[str, Any]
DESK_STREAM = "songda:desk-events"
DESK_STREAM_MAXLEN = 10_000
RETRY_DELAY = 0.5
log = logging.getLogger(__name__)


class DeskBus(ABC):
    @abstractmethod
    def publish(self, messages: list[DeskMessage]) -> None:
        """Send MESSAGES (JSON-ready dicts) to every subscriber, in order; never raises."""

    @abstractmethod
    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[DeskMessage]]:
        """`async with bus.subscribe() as messages: async for message in messages: ...`"""


class MemoryDeskBus(DeskBus):
    """In-process fan-out to the subscribers' event loops."""

    def __init__(self) -> None:
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[list[DeskMessage]]]] = set()
        self._guard = threading.Lock()

    def publish(self, messages: list[DeskMessage]) -> None:
        with self._guard:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, list(messages))
            except RuntimeError:  # that loop is closed: its subscriber is gone
                with self._guard:
                    self._subscribers.discard((loop, queue))

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[DeskMessage]]:
        entry = (asyncio.get_running_loop(), asyncio.Queue[list[DeskMessage]]())
        with self._guard:
            self._subscribers.add(entry)
        try:
            yield _flatten(entry[1])
        finally:
            with self._guard:
                self._subscribers.discard(entry)


async def _flatten(queue: "asyncio.Queue[list[DeskMessage]]") -> AsyncIterator[DeskMessage]:
    while True:
        for message in await queue.get():
            yield message


class RedisDeskBus(DeskBus):
    """A Redis Stream: each entry one committed transaction's messages."""

    def __init__(self, url: str, *, stream: str = DESK_STREAM) -> None:
        self.url, self.stream = url, stream
        self._client: Any = None
        self._guard = threading.Lock()

    def publish(self, messages: list[DeskMessage]) -> None:
        if not messages:
            return
        payload = json.dumps(messages, ensure_ascii=False)
        try:
            self._sync_client().xadd(
                self.stream, {"messages": payload}, maxlen=DESK_STREAM_MAXLEN, approximate=True
            )
        except Exception:  # the commit stands; clients catch up from the next snapshot
            log.exception("could not publish %d desk events", len(messages))

    def _sync_client(self) -> Any:
        with self._guard:
            if self._client is None:
                import redis

                self._client = redis.Redis.from_url(self.url)
            return self._client

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[DeskMessage]]:
        import redis.asyncio as redis

        client = redis.from_url(self.url)
        try:
            latest = await client.xrevrange(self.stream, count=1)
            last_id = cast(bytes, latest[0][0]) if latest else b"0-0"
            yield self._read_from(client, last_id)
        finally:
            await client.aclose()

    async def _read_from(self, client: Any, last_id: bytes) -> AsyncIterator[DeskMessage]:
        from redis.exceptions import ConnectionError as RedisConnectionError

        while True:
            try:
                batches = await client.xread({self.stream: last_id}, count=500, block=1000)
            except RedisConnectionError:
                await asyncio.sleep(RETRY_DELAY)  # Redis restarting: resume after the last id seen
                continue
            for _stream, entries in batches:
                for entry_id, fields in entries:
                    last_id = entry_id
                    for message in json.loads(fields[b"messages"]):
                        yield message


_buses: dict[str, DeskBus] = {}
_buses_guard = threading.Lock()


def desk_bus_for(url: str) -> DeskBus:
    """The process-wide desk bus for URL (`memory://`, `redis://host:port/db`)."""
    with _buses_guard:
        bus = _buses.get(url)
        if bus is None:
            bus = _new_bus(url)
            _buses[url] = bus
        return bus


def _new_bus(url: str) -> DeskBus:
    if url.startswith("memory://"):
        return MemoryDeskBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisDeskBus(url)
    raise ValueError(f"unsupported desk bus URL: {url}")


def desk_bus() -> DeskBus:
    from backend.config import get_settings

    return desk_bus_for(get_settings().event_bus_url)
