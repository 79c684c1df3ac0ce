"""Desk messages: what one committed transaction changed for the desks and the wall (presence, task
locks, the queue, the figures). Every API process hears them on the desk stream and turns them into
websocket events for its own clients (agent_desk/hub.py)."""

from dataclasses import dataclass
from typing import Any

from backend.core.streams import DataclassCodec, Stream, shared_stream

DESK_STREAM = "songda:desk-events"
DESK_STREAM_MAXLEN = 10_000


@dataclass(frozen=True, slots=True)
class AgentChanged:
    """An agent's presence or held task changed; AGENT is their row on the wall (AGENT in PROTOCOL.md)."""

    user_id: int
    agent: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TaskChanged:
    """The task an agent holds changed; TASK is its summary (TASK in PROTOCOL.md), None when none."""

    user_id: int
    task: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class QueueChanged:
    """The waiting deliveries changed: the queue topic is recomputed."""


@dataclass(frozen=True, slots=True)
class FiguresChanged:
    """Today's figures changed: the figures topic is recomputed."""


DeskMessage = AgentChanged | TaskChanged | QueueChanged | FiguresChanged
DESK_CODEC = DataclassCodec[DeskMessage](AgentChanged, TaskChanged, QueueChanged, FiguresChanged)


def desk_stream_for(url: str) -> Stream[DeskMessage]:
    """The process-wide desk stream at URL (`memory://`, `redis://host:port/db`)."""
    return shared_stream(url, name=DESK_STREAM, codec=DESK_CODEC, maxlen=DESK_STREAM_MAXLEN)


def desk_stream() -> Stream[DeskMessage]:
    from backend.config import get_settings

    return desk_stream_for(get_settings().event_bus_url)
