"""One connected desk or wall: what it may and did subscribe to, and the messages on their way to it.

Messages are serialised once and written straight to the socket: a write to a socket with room in its
buffer finishes at once, so nothing waits in a queue or for a task of its own (agent_desk/eager.py). The
messages published in one pass of the event loop go out together after it (a client that asked for
batches gets them in one frame). Only while a write waits for a client that reads slowly do its next
messages wait, then go out together; a client with too many waiting is closed (1013) and resyncs from
snapshots."""

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from agent_desk.eager import start_eagerly
from backend.auth.roles import Role

log = logging.getLogger(__name__)
TOPICS = ("me", "queue", "calls", "agents", "figures")
ROLE_TOPICS = {
    Role.agent: frozenset({"me", "queue"}),
    Role.supervisor: frozenset(TOPICS),
    Role.admin: frozenset(TOPICS),
}
WAITING_LIMIT = 2_000  # messages waiting for one client at most
BATCH_LIMIT = 500  # messages in one batch frame at most


class CloseCode:
    AUTH_EXPECTED = 4400  # the first message was not `auth`
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


class DeskSocket(Protocol):
    """What a client writes to (Starlette's WebSocket)."""

    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class Outgoing:
    """The clients with messages to write: written once the current pass of the event loop is over (or
    at `flush`), so the messages published meanwhile go out together."""

    def __init__(self) -> None:
        self._clients: list[DeskClient] = []
        self._scheduled = False

    def want(self, client: "DeskClient") -> None:
        self._clients.append(client)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        clients, self._clients, self._scheduled = self._clients, [], False
        for client in clients:
            client.write_waiting()


@dataclass(eq=False)
class DeskClient:
    user_id: int
    role: Role
    token_sha256: str
    outgoing: Outgoing
    socket: DeskSocket | None = None  # None: messages wait (a client not connected yet)
    batch: bool = False
    topics: set[str] = field(default_factory=set)
    seq: int = 0
    last_heard: float = field(default_factory=time.monotonic)
    close_code: int | None = None
    close_reason: str = ""
    _waiting: deque[str] = field(default_factory=deque)
    _writing: "asyncio.Task[None] | None" = None  # a write that had to wait
    _close_sent: bool = False

    @property
    def allowed_topics(self) -> frozenset[str]:
        return ROLE_TOPICS.get(self.role, frozenset())

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def heard(self) -> None:
        self.last_heard = time.monotonic()

    def send(self, message: dict[str, Any]) -> None:
        self._put(dumps(message))

    def send_event(self, topic: str, data_json: str) -> None:
        """An event whose data is already JSON (serialised once for every recipient)."""
        self.seq += 1
        self._put(f'{{"type":"event","topic":"{topic}","seq":{self.seq},"data":{data_json}}}')

    def close(self, code: int, reason: str) -> None:
        """Drop what waits and close the socket (with REASON, a close frame) once no write is under way."""
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
            self._waiting.clear()
            self.outgoing.want(self)

    def write_waiting(self) -> None:
        """Write the waiting messages (then the close frame, once closed) until a write has to wait."""
        while self._writing is None and self.socket is not None:
            if self.close_code is not None:
                if self.close_reason and not self._close_sent:
                    self._close_sent = True
                    self._start(self.socket.close(self.close_code, self.close_reason))
                return
            if not self._waiting:
                return
            self._start(self.socket.send_text(self._next_frame()))

    async def finished(self) -> None:
        """Once the writes under way and the close frame asked for are done."""
        self.write_waiting()
        while (writing := self._writing) is not None:
            await asyncio.wait([writing])

    def _put(self, text: str) -> None:
        if self.close_code is not None:
            return
        if len(self._waiting) >= WAITING_LIMIT:
            self.close(CloseCode.TOO_SLOW, "消息积压，请重新连接")
            return
        self._waiting.append(text)
        if len(self._waiting) == 1 and self._writing is None:
            self.outgoing.want(self)

    def _next_frame(self) -> str:
        if not self.batch or len(self._waiting) == 1:
            return self._waiting.popleft()
        count = min(len(self._waiting), BATCH_LIMIT)
        return batch_frame([self._waiting.popleft() for _ in range(count)])

    def _start(self, write: Coroutine[Any, Any, None]) -> None:
        try:
            self._writing = start_eagerly(write)
        except Exception as error:
            self._lost(error)
            return
        if self._writing is not None:
            self._writing.add_done_callback(self._written)

    def _written(self, writing: "asyncio.Task[None]") -> None:
        self._writing = None
        if writing.cancelled():
            self._lost(None)
        elif (error := writing.exception()) is not None:
            self._lost(error)
        else:
            self.write_waiting()

    def _lost(self, error: BaseException | None) -> None:
        """The socket failed: nothing more is written to it (the endpoint sees it closed)."""
        log.debug("desk socket of user %s failed: %r", self.user_id, error)
        self.socket = None
        self._waiting.clear()
        if self.close_code is None:
            self.close_code = CloseCode.GOING_AWAY
