"""Sockets for hub and client tests that need no server: one that takes every frame at once (a socket
with room in its buffer), and one whose writes wait until the test lets them through (a slow reader)."""

import asyncio
import json
from typing import Any


class RecordingSocket:
    """Takes every frame at once; `frames` holds them in order, `messages` their envelopes."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.closed_with: tuple[int, str | None] | None = None
        self._arrived = asyncio.Event()

    async def send_text(self, data: str) -> None:
        self.frames.append(data)
        self._arrived.set()

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed_with = (code, reason)
        self._arrived.set()

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Each frame's messages (a batch's one after another)."""
        envelopes = [json.loads(frame) for frame in self.frames]
        return [m for e in envelopes for m in (e["data"] if e["type"] == "batch" else [e])]

    def events(self, topic: str) -> list[Any]:
        return [m["data"] for m in self.messages if m["type"] == "event" and m.get("topic") == topic]

    async def wait_events(self, topic: str, count: int, timeout: float) -> list[Any]:
        """The first COUNT events of TOPIC, once they have arrived."""
        async with asyncio.timeout(timeout):
            while len(events := self.events(topic)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return events[:count]


class HeldSocket(RecordingSocket):
    """Each write waits until `let_through` (as a socket whose reader has stopped reading)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.gate.set()
        self.writes_started = 0

    def hold(self) -> None:
        self.gate.clear()

    def let_through(self) -> None:
        self.gate.set()

    async def send_text(self, data: str) -> None:
        self.writes_started += 1
        await self.gate.wait()
        await super().send_text(data)
