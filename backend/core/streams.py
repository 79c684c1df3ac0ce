"""Typed message streams chosen by URL, like encode/broadcaster: `memory://` in one process,
`redis://host:port/db` across processes. Every subscriber sees every message published after it
subscribed, in order.

Redis keeps one Stream per name (XADD with an approximate MAXLEN, XREAD per subscriber), so a subscriber
that briefly loses its connection resumes after the last id it read instead of losing messages like
pub/sub would. Each entry holds one published batch (field `batch`, a JSON list), so publishing costs one
XADD per batch, not per message. Messages cross the wire through a codec per message type.

Publishing comes in two forms: `publish` (async, in the publisher's event loop) and `publish_now`
(synchronous and thread-safe: for work that ends in a worker thread, e.g. right after a commit).
"""

import asyncio
import dataclasses
import json
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
DEFAULT_MAXLEN = 100_000  # entries (batches) kept per Redis stream
MESSAGES_PER_ENTRY = 500
READ_COUNT = 1000
READ_BLOCK_MS = 1000
RETRY_DELAY = 0.5
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
RESUBSCRIBE_DELAY = 1.0
log = logging.getLogger(__name__)


class Codec(Protocol[T]):
    """Turns one message type into a JSON-ready dict and back."""

    def encode(self, message: T) -> dict[str, Any]: ...

    def decode(self, data: dict[str, Any]) -> T: ...


class DataclassCodec(Generic[T]):
    """A codec for dataclasses whose fields are JSON values; the class name travels under `type`."""

    def __init__(self, *types: type[T]) -> None:
        self._types = {cls.__name__: cls for cls in types}
        self._fields = {name: _field_names(cls) for name, cls in self._types.items()}

    def encode(self, message: T) -> dict[str, Any]:
        name = type(message).__name__
        return {"type": name, **{field: getattr(message, field) for field in self._fields[name]}}

    def decode(self, data: dict[str, Any]) -> T:
        values = dict(data)
        return self._types[values.pop("type")](**values)


def _field_names(cls: Any) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


class Stream(ABC, Generic[T]):
    """Publish typed messages in batches; subscribe to every message published from then on."""

    async def connect(self) -> None:
        """Open the connection `publish` uses (no-op in memory)."""

    async def disconnect(self) -> None:
        """Close it."""

    @abstractmethod
    async def publish(self, messages: Sequence[T]) -> None:
        """Publish MESSAGES in order, as one batch."""

    @abstractmethod
    def publish_now(self, messages: Sequence[T]) -> None:
        """The same from any thread, synchronously."""

    @abstractmethod
    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[T]]:
        """`async with stream.subscribe() as messages: async for message in messages: ...`"""


_Subscriber = tuple[asyncio.AbstractEventLoop, "asyncio.Queue[Sequence[Any]]"]


class MemoryStream(Stream[T]):
    """In-process fan-out: one queue per subscriber, fed in the subscriber's own event loop."""

    def __init__(self) -> None:
        self._subscribers: set[_Subscriber] = set()
        self._guard = threading.Lock()

    async def publish(self, messages: Sequence[T]) -> None:
        self.publish_now(messages)

    def publish_now(self, messages: Sequence[T]) -> None:
        if not messages:
            return
        batch = tuple(messages)
        with self._guard:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            self._hand_over(subscriber, batch)

    def _hand_over(self, subscriber: _Subscriber, batch: Sequence[T]) -> None:
        loop, queue = subscriber
        if _running_loop() is loop:
            queue.put_nowait(batch)
            return
        try:
            loop.call_soon_threadsafe(queue.put_nowait, batch)
        except RuntimeError:  # that loop is closed: its subscriber is gone
            with self._guard:
                self._subscribers.discard(subscriber)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[T]]:
        subscriber: _Subscriber = (asyncio.get_running_loop(), asyncio.Queue())
        with self._guard:
            self._subscribers.add(subscriber)
        try:
            yield _flatten(subscriber[1])
        finally:
            with self._guard:
                self._subscribers.discard(subscriber)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _flatten(queue: "asyncio.Queue[Sequence[T]]") -> AsyncIterator[T]:
    while True:
        for message in await queue.get():
            yield message


class RedisStream(Stream[T]):
    """A Redis Stream shared by every process connected to the same Redis."""

    def __init__(self, url: str, *, name: str, codec: Codec[T], maxlen: int = DEFAULT_MAXLEN) -> None:
        self.url, self.name, self.codec, self.maxlen = url, name, codec, maxlen
        self._client: Any = None  # redis.asyncio.Redis, bound to the loop that connected it
        self._sync_client: Any = None
        self._guard = threading.Lock()

    async def connect(self) -> None:
        import redis.asyncio as redis

        self._client = redis.from_url(self.url)
        await self._client.ping()

    async def disconnect(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _entries(self, messages: Sequence[T]) -> list[dict[str, str]]:
        encoded = [self.codec.encode(message) for message in messages]
        return [
            {"batch": json.dumps(encoded[start : start + MESSAGES_PER_ENTRY], ensure_ascii=False)}
            for start in range(0, len(encoded), MESSAGES_PER_ENTRY)
        ]

    async def publish(self, messages: Sequence[T]) -> None:
        if not messages:
            return
        if self._client is None:
            raise RuntimeError("RedisStream.connect() was not awaited")
        async with self._client.pipeline(transaction=False) as pipe:
            for entry in self._entries(messages):
                pipe.xadd(self.name, entry, maxlen=self.maxlen, approximate=True)
            await pipe.execute()

    def publish_now(self, messages: Sequence[T]) -> None:
        if not messages:
            return
        with self._client_for_threads().pipeline(transaction=False) as pipe:
            for entry in self._entries(messages):
                pipe.xadd(self.name, entry, maxlen=self.maxlen, approximate=True)
            pipe.execute()

    def _client_for_threads(self) -> Any:
        with self._guard:
            if self._sync_client is None:
                import redis

                self._sync_client = redis.Redis.from_url(self.url)
            return self._sync_client

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[T]]:
        import redis.asyncio as redis

        # Its own connection: subscriptions may run in any event loop. Named, so operators see readers.
        client = redis.from_url(self.url, client_name=f"reader:{self.name}")
        try:
            latest = await client.xrevrange(self.name, count=1)
            last_id: bytes | str | None = latest[0][0] if latest else None
            yield self._read_after(client, last_id or b"0-0")
        finally:
            await client.aclose()

    async def _read_after(self, client: Any, last_id: bytes | str) -> AsyncIterator[T]:
        from redis.exceptions import ConnectionError as RedisConnectionError

        while True:
            try:
                batches = await client.xread({self.name: last_id}, count=READ_COUNT, block=READ_BLOCK_MS)
            except RedisConnectionError:
                _raise_if_cancelled()
                await asyncio.sleep(RETRY_DELAY)  # Redis restarting: resume after the last id read
                continue
            _raise_if_cancelled()
            for _name, entries in batches:
                for entry_id, fields in entries:
                    last_id = entry_id
                    for data in json.loads(fields[b"batch"]):
                        yield self.codec.decode(data)


def _raise_if_cancelled() -> None:
    """redis-py (8.2) may swallow a cancellation that arrives during a command and return normally: the
    task still counts it, so it is raised here."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def stream_from_url(url: str, *, name: str, codec: Codec[T], maxlen: int = DEFAULT_MAXLEN) -> Stream[T]:
    """A new stream: `memory://` or `redis://host:port/db` (also `rediss://`, `unix://`)."""
    if url.startswith("memory://"):
        return MemoryStream()
    if url.startswith(REDIS_SCHEMES):
        return RedisStream(url, name=name, codec=codec, maxlen=maxlen)
    raise ValueError(f"unsupported stream URL: {url}")


_shared: dict[tuple[str, str], Stream[Any]] = {}
_shared_guard = threading.Lock()


def shared_stream(url: str, *, name: str, codec: Codec[T], maxlen: int = DEFAULT_MAXLEN) -> Stream[T]:
    """The process-wide stream NAME at URL: in memory, publishers and subscribers of one process meet
    here. Use it only through `publish_now` and `subscribe`, which work from any thread or loop."""
    with _shared_guard:
        stream = _shared.get((url, name))
        if stream is None:
            stream = _shared[(url, name)] = stream_from_url(url, name=name, codec=codec, maxlen=maxlen)
        return stream


async def follow(
    stream: Stream[T],
    handle: Callable[[T], Awaitable[None]],
    *,
    what: str,
    subscribed: asyncio.Event | None = None,
) -> None:
    """Feed every message of STREAM to HANDLE until cancelled (SUBSCRIBED is set once subscribed). A
    failing handler is logged and the next message goes on; a broken subscription is renewed."""
    while True:
        try:
            async with stream.subscribe() as messages:
                if subscribed is not None:
                    subscribed.set()
                async for message in messages:
                    try:
                        await handle(message)
                    except Exception:
                        log.exception("could not handle one of the %s", what)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("lost the subscription to the %s; subscribing again", what)
            await asyncio.sleep(RESUBSCRIBE_DELAY)
