"""Group commit: the outbox writes of one process's threads (senders' claims and recorded answers, the
report endpoint's delivery reports) share one transaction when they arrive together. Each caller still
returns only once its own write is committed, so nothing is acknowledged before it is durable.

While one caller writes a batch, the callers arriving meanwhile queue; the first of them then writes all
of them at once. A lone caller writes alone at once (no waiting for company). If a batch fails, each of
its items is written again in a transaction of its own, so one bad item fails only its own caller."""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
MAX_BATCH = 200


@dataclass
class _Slot(Generic[Item, Result]):
    item: Item
    done: bool = False
    result: Result | None = None
    error: BaseException | None = None

    def settle(self, outcome: Result | BaseException) -> None:
        if isinstance(outcome, BaseException):
            self.error = outcome
        else:
            self.result = outcome
        self.done = True


class GroupCommit(Generic[Item, Result]):
    """WRITE_BATCH writes its items in one transaction and returns one outcome per item, in order (an
    outcome that is an exception is raised to that item's caller alone)."""

    def __init__(self, write_batch: Callable[[Sequence[Item]], Sequence[Result | BaseException]]) -> None:
        self._write_batch = write_batch
        self._ready = threading.Condition()
        self._queue: list[_Slot[Item, Result]] = []
        self._writing = False

    def submit(self, item: Item) -> Result:
        """Write ITEM (with whatever else is queued) and return its result once committed."""
        slot: _Slot[Item, Result] = _Slot(item)
        with self._ready:
            self._queue.append(slot)
        while True:
            with self._ready:
                while self._writing and not slot.done:
                    self._ready.wait()
                if slot.done:
                    break
                self._writing = True
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                self._write(batch)
            finally:
                with self._ready:
                    self._writing = False
                    self._ready.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _write(self, batch: list[_Slot[Item, Result]]) -> None:
        try:
            outcomes = self._write_batch([slot.item for slot in batch])
        except Exception as error:
            outcomes = [error] if len(batch) == 1 else [self._write_alone(slot.item) for slot in batch]
        except BaseException as error:  # interrupted: every caller of this batch learns it
            for slot in batch:
                slot.settle(error)
            raise
        for slot, outcome in zip(batch, outcomes, strict=True):
            slot.settle(outcome)

    def _write_alone(self, item: Item) -> Result | BaseException:
        try:
            return self._write_batch([item])[0]
        except Exception as error:  # it belongs to this item's caller
            return error
