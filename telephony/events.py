"""Typed call events: what the rest of Songda hears about calls, never raw AMI dicts.

Every event names its call (`call_id`, 32 hex, the Originate ChannelId and the Linkedid of every
channel of the call) and when it happened (`at`, tz-aware UTC). `resynced` marks an event rebuilt from
a CoreShowChannels snapshot after an AMI reconnect (its time is when we learned it, not when it happened).
"""

import dataclasses
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.core.streams import Stream, stream_from_url


class Leg(StrEnum):
    agent = "agent"
    party = "party"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CallEvent:
    call_id: str
    at: datetime
    resynced: bool = False

    @property
    def kind(self) -> str:
        return type(self).__name__

    def dedupe_key(self) -> tuple[str, ...]:
        """Events with equal keys are one fact; kinds that may repeat in a call add a discriminator."""
        return (self.call_id, self.kind)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CallOriginated(CallEvent):
    """Asterisk accepted the Originate: the agent's phone is about to ring. When the caller of the
    Originate said who placed the call and for which delivery attempt (Songda's ids), they come along, so
    that consumers need not look them up."""

    agent_endpoint: str
    number: str
    agent_user_id: int | None = None
    delivery_id: int | None = None
    attempt_id: int | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class OriginateFailed(CallEvent):
    """The agent leg never came up (OriginateResponse Failure): 3 no answer, 5 busy, 0/8 unavailable."""

    reason: int


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AgentRinging(CallEvent):
    channel: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AgentAnswered(CallEvent):
    channel: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PartyDialled(CallEvent):
    """Dial() started towards the party."""

    channel: str
    number: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PartyRinging(CallEvent):
    channel: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PartyAnswered(CallEvent):
    channel: str
    connected_number: str | None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CallBridged(CallEvent):
    bridge_id: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CallHeld(CallEvent):
    """A leg put the other on hold (`on_hold`) or took it off hold."""

    channel: str
    on_hold: bool

    def dedupe_key(self) -> tuple[str, ...]:
        return (self.call_id, self.kind, self.channel, str(self.on_hold), self.at.isoformat())


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RecordingStarted(CallEvent):
    channel: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RecordingStopped(CallEvent):
    channel: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DialResult(CallEvent):
    """How Dial() towards the party ended (DIALSTATUS) and the Q.850 cause, from the dialplan."""

    dial_status: str
    cause: int | None
    answered_seconds: int | None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class HungUp(CallEvent):
    """One leg hung up with a Q.850 cause (None when the hang-up was missed while AMI was down)."""

    channel: str
    leg: Leg
    cause: int | None
    cause_text: str | None

    def dedupe_key(self) -> tuple[str, ...]:
        return (self.call_id, self.kind, self.channel)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CallEnded(CallEvent):
    """The agent leg is gone, so the call is over; carries the facts the outcome is decided from."""

    agent_answered: bool
    party_answered: bool
    dial_status: str | None
    cause: int | None


EVENT_TYPES: dict[str, type[CallEvent]] = {
    cls.__name__: cls
    for cls in (
        CallOriginated,
        OriginateFailed,
        AgentRinging,
        AgentAnswered,
        PartyDialled,
        PartyRinging,
        PartyAnswered,
        CallBridged,
        CallHeld,
        RecordingStarted,
        RecordingStopped,
        DialResult,
        HungUp,
        CallEnded,
    )
}
_FIELDS = {name: tuple(f.name for f in dataclasses.fields(cls)) for name, cls in EVENT_TYPES.items()}


def event_to_dict(event: CallEvent) -> dict[str, Any]:
    """A JSON-ready dict with the event's type under `type`."""
    kind = type(event).__name__
    data: dict[str, Any] = {"type": kind}
    for name in _FIELDS[kind]:
        value = getattr(event, name)
        data[name] = value.isoformat() if isinstance(value, datetime) else value
    return data


def event_from_dict(data: dict[str, Any]) -> CallEvent:
    """The inverse of event_to_dict; unknown types raise KeyError."""
    values = dict(data)
    cls = EVENT_TYPES[values.pop("type")]
    values["at"] = datetime.fromisoformat(values["at"])
    if cls is HungUp:
        values["leg"] = Leg(values["leg"])
    return cls(**values)


class CallEventCodec:
    """Call events on a stream: event_to_dict and event_from_dict."""

    def encode(self, message: CallEvent) -> dict[str, Any]:
        return event_to_dict(message)

    def decode(self, data: dict[str, Any]) -> CallEvent:
        return event_from_dict(data)


CALL_EVENTS_STREAM = "songda:call-events"


def call_event_stream(url: str) -> Stream[CallEvent]:
    """The call events every API process hears: `memory://` in one process, `redis://` across them."""
    return stream_from_url(url, name=CALL_EVENTS_STREAM, codec=CallEventCodec())
