"""Run a coroutine at once, in the caller, up to its first real wait (what Python 3.12's eager tasks do).

A websocket write to a socket whose buffer has room never waits: started this way it costs a function
call, not a task and a trip through the event loop. Only a write that must wait becomes a task."""

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any, TypeVar

T = TypeVar("T")


def start_eagerly(coroutine: Coroutine[Any, Any, T]) -> "asyncio.Task[T] | None":
    """Run COROUTINE until it finishes (None; its exception is raised here) or waits: then a task that
    goes on from there (cancel it to cancel the coroutine)."""
    try:
        awaited = coroutine.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_Started(coroutine, awaited))


class _Started(Coroutine[Any, Any, T]):
    """COROUTINE, already started and now waiting on AWAITED, for a task to go on with: the task's first
    step gets AWAITED, every later step (or a cancellation, even before the first) goes to COROUTINE."""

    def __init__(self, coroutine: Coroutine[Any, Any, T], awaited: Any) -> None:
        self._coroutine, self._awaited = coroutine, awaited
        self._handed_over = False

    def send(self, value: Any) -> Any:
        if not self._handed_over:
            self._handed_over = True
            return self._awaited
        return self._coroutine.send(value)

    def throw(self, *error: Any) -> Any:
        self._handed_over = True
        return self._coroutine.throw(*error)

    def close(self) -> None:
        self._coroutine.close()

    def __await__(self) -> Generator[Any, Any, T]:
        return self  # an iterator with send and throw, as a generator

    def __iter__(self) -> "_Started[T]":
        return self

    def __next__(self) -> Any:
        return self.send(None)
