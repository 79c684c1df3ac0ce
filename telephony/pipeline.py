"""AMI event dicts in, new typed events out to every sink (the bus, the call-record writer...).

Normalizing and de-duplicating run synchronously in the AMI reader's callback; each sink drains its own
queue in its own task, batching what piled up, so a slow sink never slows the reader or another sink.
Listeners are for in-process work that must not wait behind other tasks (the desk hub's fan-out): they are
called right there, in the reader's callback, and must only hand the events on, never block.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from telephony.ami_protocol import AmiMessage
from telephony.events import CallEvent
from telephony.live import CallTracker
from telephony.normalizer import AmiEventNormalizer

log = logging.getLogger(__name__)

EventSink = Callable[[list[CallEvent]], Awaitable[None]]
EventListener = Callable[[list[CallEvent]], None]
SINK_RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)


@dataclass(slots=True)
class _SinkWorker:
    name: str
    sink: EventSink
    queue: asyncio.Queue[list[CallEvent]] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None
    delivered: int = 0
    dropped: int = 0


class EventPipeline:
    """normalizer -> tracker (dedupe, derived events) -> one queue per sink."""

    def __init__(self) -> None:
        self.normalizer = AmiEventNormalizer()
        self.tracker = CallTracker()
        self._workers: list[_SinkWorker] = []
        self._listeners: list[EventListener] = []
        self.emitted = 0

    def add_sink(self, name: str, sink: EventSink) -> None:
        self._workers.append(_SinkWorker(name, sink))

    def add_listener(self, listener: EventListener) -> Callable[[], None]:
        """Call LISTENER with every batch of accepted events, synchronously; returns its removal."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def start(self) -> None:
        for worker in self._workers:
            if worker.task is None:
                worker.task = asyncio.create_task(self._drain(worker), name=f"sink-{worker.name}")

    async def stop(self, *, flush_timeout: float = 5.0) -> None:
        """Let the sinks finish what is queued (up to FLUSH_TIMEOUT), then stop them."""
        deadline = asyncio.get_running_loop().time() + flush_timeout
        while any(not w.queue.empty() for w in self._workers):
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.01)
        for worker in self._workers:
            if worker.task is not None:
                worker.task.cancel()
        await asyncio.gather(*(w.task for w in self._workers if w.task is not None), return_exceptions=True)
        for worker in self._workers:
            worker.task = None

    def on_ami_events(self, messages: list[AmiMessage]) -> None:
        """The AmiConnection callback."""
        self.emit(self.tracker.apply_many(self.normalizer.normalize_many(messages)))

    def inject(self, events: Iterable[CallEvent]) -> list[CallEvent]:
        """Events Songda itself knows (CallOriginated...): through the tracker, then out."""
        accepted = self.tracker.apply_many(events)
        self.emit(accepted)
        return accepted

    def emit(self, events: list[CallEvent]) -> None:
        """Hand already-accepted EVENTS to every sink."""
        if not events:
            return
        self.emitted += len(events)
        for worker in self._workers:
            worker.queue.put_nowait(events)
        for listener in list(self._listeners):
            try:
                listener(events)
            except Exception:
                log.exception("call event listener %r failed on %d events", listener, len(events))

    def pending(self) -> int:
        return sum(w.queue.qsize() for w in self._workers)

    async def _drain(self, worker: _SinkWorker) -> None:
        while True:
            batch = list(await worker.queue.get())
            while not worker.queue.empty():
                batch.extend(worker.queue.get_nowait())
            await self._deliver(worker, batch)

    async def _deliver(self, worker: _SinkWorker, batch: list[CallEvent]) -> None:
        for attempt, delay in enumerate((*SINK_RETRY_DELAYS, None)):
            try:
                await worker.sink(batch)
                worker.delivered += len(batch)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "sink %s failed (attempt %d) on %d events", worker.name, attempt + 1, len(batch)
                )
                if delay is None:
                    worker.dropped += len(batch)
                    return
                await asyncio.sleep(delay)
