"""One connected desk or wall: what it may and did subscribe to, and its outgoing queue.

Messages are serialised once and queued; a sender task writes them to the socket (for a client that asked
for batches, all those waiting in one frame), so a slow client never holds up the others. A client whose
queue overflows is closed (1013) and resyncs from snapshots."""

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from backend.auth.roles import Role

TOPICS = ("me", "queue", "calls", "agents", "figures")
ROLE_TOPICS = {
    Role.agent: frozenset({"me", "queue"}),
    Role.supervisor: frozenset(TOPICS),
    Role.admin: frozenset(TOPICS),
}
OUTBOX_LIMIT = 2_000


class CloseCode:
    TOKEN_INVALID = 4401
    ROLE_REFUSED = 4403
    IDLE = 4408
    TOO_SLOW = 1013
    GOING_AWAY = 1001


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def batch_frame(messages: list[str]) -> str:
    """One `batch` frame carrying MESSAGES (each already an envelope's JSON), in order."""
    return f'{{"type":"batch","data":[{",".join(messages)}]}}'


@dataclass(eq=False)
class DeskClient:
    user_id: int
    role: Role
    token_sha256: str
    outbox: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(OUTBOX_LIMIT))
    topics: set[str] = field(default_factory=set)
    seq: int = 0
    last_heard: float = field(default_factory=time.monotonic)
    close_code: int | None = None
    close_reason: str = ""

    @property
    def allowed_topics(self) -> frozenset[str]:
        return ROLE_TOPICS.get(self.role, frozenset())

    def heard(self) -> None:
        self.last_heard = time.monotonic()

    def send(self, message: dict[str, Any]) -> None:
        self._put(dumps(message))

    def send_event(self, topic: str, data_json: str) -> None:
        """An event whose data is already JSON (serialised once for every recipient)."""
        self.seq += 1
        self._put(f'{{"type":"event","topic":"{topic}","seq":{self.seq},"data":{data_json}}}')

    def take_waiting(self, limit: int) -> list[str]:
        """The messages queued behind the one being sent (up to LIMIT), leaving a close marker queued."""
        taken: list[str] = []
        while len(taken) < limit and not self.outbox.empty():
            if (text := self.outbox.get_nowait()) is None:
                self.outbox.put_nowait(None)
                break
            taken.append(text)
        return taken

    def close(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
            self._drop_pending()
            self.outbox.put_nowait(None)

    def _put(self, text: str) -> None:
        if self.close_code is not None:
            return
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            self.close(CloseCode.TOO_SLOW, "消息积压，请重新连接")

    def _drop_pending(self) -> None:
        while not self.outbox.empty():
            self.outbox.get_nowait()
