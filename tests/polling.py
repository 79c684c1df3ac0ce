"""Waiting for a condition instead of sleeping: one helper for every test that waits on a background
task, a worker or a server (and its async twin for code running on an event loop)."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
What = str | Callable[[], str]  # what never happened; a callable is asked at the deadline (it may show state)


def poll_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    what: What,
    interval: float = 0.05,
    sleep: Callable[[float], object] = time.sleep,
) -> T:
    """Call PROBE until it returns something other than None or False; fail naming WHAT after TIMEOUT s.

    SLEEP waits between calls: a Playwright page's `wait_for_timeout` (tests/desk_e2e/pages.py `page_sleep`)
    lets the page run its event handlers meanwhile, which `time.sleep` does not."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None and found is not False:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(_failure(what, timeout))
        sleep(interval)


async def poll_until_async(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float, what: What, interval: float = 0.05
) -> T:
    """`poll_until` on an event loop: await PROBE until it gives something other than None or False."""
    deadline = time.monotonic() + timeout
    while True:
        found = await probe()
        if found is not None and found is not False:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(_failure(what, timeout))
        await asyncio.sleep(interval)


def _failure(what: What, timeout: float) -> str:
    return f"{what() if callable(what) else what} (waited {timeout} s)"
