"""Live state of the calls in progress, rebuilt after an AMI reconnect, and the single source of truth
for which events are new: every event passes through `CallTracker.apply`, which drops duplicates and
derives RecordingStopped and CallEnded when the agent leg hangs up.
"""

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telephony.ami_protocol import AmiMessage
from telephony.events import (
    AgentAnswered,
    AgentRinging,
    CallBridged,
    CallEnded,
    CallEvent,
    CallHeld,
    CallOriginated,
    DialResult,
    HungUp,
    Leg,
    OriginateFailed,
    PartyAnswered,
    PartyDialled,
    PartyRinging,
    RecordingStarted,
    RecordingStopped,
)
from telephony.states import CallState, advance

ENDED_CALLS_REMEMBERED = 10_000
# Q.850 causes for an Originate that failed before any agent channel existed.
ORIGINATE_REASON_CAUSES = {3: 19, 5: 17, 8: 34}


@dataclass(slots=True)
class LiveCall:
    call_id: str
    started_at: datetime
    agent_endpoint: str | None = None
    number: str | None = None
    agent_channel: str | None = None
    party_channel: str | None = None
    state: CallState = CallState.originating
    on_hold: bool = False
    recording: bool = False
    agent_answered: bool = False
    party_answered: bool = False
    originate_failed_reason: int | None = None
    dial_status: str | None = None
    dial_cause: int | None = None
    seen: set[tuple[str, ...]] = field(default_factory=set)


def live_call_data(call: LiveCall) -> dict[str, Any]:
    """What other processes and the API see of a live call (JSON values)."""
    return {
        "call_id": call.call_id,
        "started_at": call.started_at.isoformat(),
        "agent_endpoint": call.agent_endpoint,
        "number": call.number,
        "state": call.state.value,
        "on_hold": call.on_hold,
        "recording": call.recording,
        "agent_answered": call.agent_answered,
        "party_answered": call.party_answered,
    }


class CallTracker:
    """Calls in progress keyed by call id; `apply` returns the events that are genuinely new."""

    def __init__(self) -> None:
        self.calls: dict[str, LiveCall] = {}
        self._ended: OrderedDict[str, set[tuple[str, ...]]] = OrderedDict()

    def apply(self, event: CallEvent) -> list[CallEvent]:
        """Record EVENT; return it plus derived events, or [] when it was already known."""
        key = event.dedupe_key()
        ended_seen = self._ended.get(event.call_id)
        if ended_seen is not None:
            if key in ended_seen:
                return []
            ended_seen.add(key)
            return [event]
        call = self.calls.get(event.call_id)
        if call is None:
            call = self.calls[event.call_id] = LiveCall(call_id=event.call_id, started_at=event.at)
        if key in call.seen:
            return []
        call.seen.add(key)
        _UPDATES[type(event)](call, event)
        call.state = advance(call.state, event)
        accepted = [event]
        if isinstance(event, HungUp) and event.leg is Leg.agent:
            accepted.extend(self._end(call, event))
        elif isinstance(event, OriginateFailed) and call.agent_channel is None:
            cause = ORIGINATE_REASON_CAUSES.get(event.reason)
            accepted.extend(self._end(call, event, cause=cause))
        return accepted

    def apply_many(self, events: Iterable[CallEvent]) -> list[CallEvent]:
        accepted: list[CallEvent] = []
        for event in events:
            accepted.extend(self.apply(event))
        return accepted

    def _end(self, call: LiveCall, event: CallEvent, *, cause: int | None = None) -> list[CallEvent]:
        derived: list[CallEvent] = []
        if call.recording:
            derived.append(
                RecordingStopped(call_id=call.call_id, at=event.at, channel=call.agent_channel or "")
            )
        if isinstance(event, HungUp):
            cause = event.cause
        ended = CallEnded(
            call_id=call.call_id,
            at=event.at,
            resynced=event.resynced,
            agent_answered=call.agent_answered,
            party_answered=call.party_answered,
            dial_status=call.dial_status,
            cause=call.dial_cause if call.dial_cause is not None else cause,
        )
        derived.append(ended)
        seen = call.seen | {e.dedupe_key() for e in derived}
        del self.calls[call.call_id]
        self._ended[call.call_id] = seen
        while len(self._ended) > ENDED_CALLS_REMEMBERED:
            self._ended.popitem(last=False)
        return derived

    def is_ended(self, call_id: str) -> bool:
        return call_id in self._ended

    def resync(
        self, channels: list[AmiMessage], *, now: datetime, call_id_for: Callable[[str], str | None]
    ) -> list[CallEvent]:
        """Events the CoreShowChannels snapshot proves were missed for calls that are still up."""
        by_call: dict[str, list[AmiMessage]] = {}
        for channel in channels:
            call_id = call_id_for(channel.get("Linkedid", ""))
            if call_id is not None and not self.is_ended(call_id):
                by_call.setdefault(call_id, []).append(channel)
        missed: list[CallEvent] = []
        for call_id, call_channels in by_call.items():
            missed.extend(self._resync_call(call_id, call_channels, now))
        return missed

    def _resync_call(self, call_id: str, channels: list[AmiMessage], now: datetime) -> list[CallEvent]:
        agent = next((c for c in channels if c.get("Uniqueid") == c.get("Linkedid")), None)
        if agent is None:
            return []  # gone while AMI was down: CallControl concludes it after a grace period
        return self.apply_many(_events_from_snapshot(call_id, agent, channels, now))

    def snapshot(self) -> list[LiveCall]:
        return list(self.calls.values())


def _events_from_snapshot(
    call_id: str, agent: AmiMessage, channels: list[AmiMessage], now: datetime
) -> list[CallEvent]:
    """What a live call's channels prove has happened (only facts, never a guessed cause)."""
    agent_channel = agent.get("Channel", "")
    events: list[CallEvent] = [AgentRinging(call_id=call_id, at=now, resynced=True, channel=agent_channel)]
    if agent.get("ChannelStateDesc") == "Up":
        events.append(AgentAnswered(call_id=call_id, at=now, resynced=True, channel=agent_channel))
    parties = [c for c in channels if c is not agent and not c.get("Channel", "").endswith(";2")]
    if not parties:
        return events
    party_channel = parties[0].get("Channel", "")
    number = parties[0].get("Exten") or agent.get("Exten", "")
    events.append(PartyDialled(call_id=call_id, at=now, resynced=True, channel=party_channel, number=number))
    if agent.get("BridgeId"):
        connected = agent.get("ConnectedLineNum") or None
        events.append(
            PartyAnswered(
                call_id=call_id, at=now, resynced=True, channel=party_channel, connected_number=connected
            )
        )
        events.append(CallBridged(call_id=call_id, at=now, resynced=True, bridge_id=agent["BridgeId"]))
    return events


def _set_originated(call: LiveCall, event: CallOriginated) -> None:
    call.agent_endpoint, call.number = event.agent_endpoint, event.number


def _set_originate_failed(call: LiveCall, event: OriginateFailed) -> None:
    call.originate_failed_reason = event.reason


def _set_agent_ringing(call: LiveCall, event: AgentRinging) -> None:
    call.agent_channel = event.channel


def _set_agent_answered(call: LiveCall, event: AgentAnswered) -> None:
    call.agent_channel, call.agent_answered = event.channel, True


def _set_party_dialled(call: LiveCall, event: PartyDialled) -> None:
    call.party_channel = event.channel
    call.number = call.number or event.number


def _set_party_answered(call: LiveCall, event: PartyAnswered) -> None:
    call.party_channel, call.party_answered = event.channel, True


def _set_held(call: LiveCall, event: CallHeld) -> None:
    call.on_hold = event.on_hold


def _set_recording(call: LiveCall, event: RecordingStarted | RecordingStopped) -> None:
    call.recording = isinstance(event, RecordingStarted)
    call.agent_channel = call.agent_channel or event.channel or None  # MixMonitor runs on the agent leg


def _set_dial_result(call: LiveCall, event: DialResult) -> None:
    call.dial_status, call.dial_cause = event.dial_status, event.cause


def _ignore(call: LiveCall, event: CallEvent) -> None:
    return None


_UPDATES: dict[type[CallEvent], Callable[[LiveCall, CallEvent], None]] = {
    CallOriginated: _set_originated,  # type: ignore[dict-item]
    OriginateFailed: _set_originate_failed,  # type: ignore[dict-item]
    AgentRinging: _set_agent_ringing,  # type: ignore[dict-item]
    AgentAnswered: _set_agent_answered,  # type: ignore[dict-item]
    PartyDialled: _set_party_dialled,  # type: ignore[dict-item]
    PartyRinging: _ignore,
    PartyAnswered: _set_party_answered,  # type: ignore[dict-item]
    CallBridged: _ignore,
    CallHeld: _set_held,  # type: ignore[dict-item]
    RecordingStarted: _set_recording,  # type: ignore[dict-item]
    RecordingStopped: _set_recording,  # type: ignore[dict-item]
    DialResult: _set_dial_result,  # type: ignore[dict-item]
    HungUp: _ignore,
    CallEnded: _ignore,
}
