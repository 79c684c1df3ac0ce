"""AMI event dicts -> typed call events, one handler per AMI event name (wazo-calld's subscribe map).

Filtering happens before this: Asterisk is asked for WANTED_EVENTS only (login event classes plus AMI
`Filter`), and the connection drops anything else by peeking at the event name, unparsed. Here an
event becomes at most one typed event; events of channels that belong to no Songda call yield None.

Correlation: Songda originates with ChannelId=<call id>, so the agent channel's Uniqueid and every
channel's Linkedid is the call id. Calls that start on an agent's phone get their call id from the
dialplan's SongdaRecording UserEvent (CallId header), learned here per Linkedid.
"""

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from telephony.ami_protocol import AmiMessage
from telephony.events import (
    AgentAnswered,
    AgentRinging,
    CallBridged,
    CallEvent,
    CallHeld,
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

_CALL_ID = re.compile(r"[0-9a-f]{32}")
_UNKNOWN_NUMBERS = frozenset({"", "<unknown>"})

Handler = Callable[["AmiEventNormalizer", AmiMessage], CallEvent | None]


def now_utc() -> datetime:
    return datetime.now(UTC)


def is_call_id(value: str) -> bool:
    return len(value) == 32 and _CALL_ID.fullmatch(value) is not None


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.lstrip("-").isdigit() else None


def _number(value: str | None) -> str | None:
    return None if value is None or value in _UNKNOWN_NUMBERS else value


class AmiEventNormalizer:
    """Turns AMI event dicts into typed call events; keeps only the Linkedid -> call id map."""

    def __init__(self, *, clock: Callable[[], datetime] = now_utc) -> None:
        self._clock = clock
        self._learned_call_ids: dict[str, str] = {}

    def call_id_for(self, linkedid: str) -> str | None:
        """The Songda call a Linkedid belongs to, or None."""
        if is_call_id(linkedid):
            return linkedid
        return self._learned_call_ids.get(linkedid)

    def normalize(self, message: AmiMessage) -> CallEvent | None:
        handler = _HANDLERS.get(message.get("Event", ""))
        return handler(self, message) if handler is not None else None

    def normalize_many(self, messages: Iterable[AmiMessage]) -> list[CallEvent]:
        events = []
        for message in messages:
            handler = _HANDLERS.get(message.get("Event", ""))
            if handler is not None and (event := handler(self, message)) is not None:
                events.append(event)
        return events

    def _at(self, message: AmiMessage) -> datetime:
        stamp = message.get("Timestamp")
        return datetime.fromtimestamp(float(stamp), UTC) if stamp else self._clock()

    def _on_newstate(self, message: AmiMessage) -> CallEvent | None:
        if message.get("Uniqueid") != message.get("Linkedid"):
            return None
        call_id = self.call_id_for(message["Linkedid"])
        state = message.get("ChannelStateDesc")
        if call_id is None or state not in ("Ringing", "Up"):
            return None
        event_type = AgentRinging if state == "Ringing" else AgentAnswered
        return event_type(call_id=call_id, at=self._at(message), channel=message["Channel"])

    def _on_dial_begin(self, message: AmiMessage) -> CallEvent | None:
        call_id = self._agent_call_id(message)
        if call_id is None:
            return None
        number = message.get("DialString", "").partition("@")[0] or message.get("Exten", "")
        return PartyDialled(
            call_id=call_id, at=self._at(message), channel=message["DestChannel"], number=number
        )

    def _on_dial_state(self, message: AmiMessage) -> CallEvent | None:
        if message.get("DialStatus") != "RINGING":
            return None
        at = self._at(message)
        if "Channel" not in message:  # the Originate ringing the agent's phone
            call_id = self.call_id_for(message.get("DestLinkedid", ""))
            if call_id is None or message.get("DestUniqueid") != message.get("DestLinkedid"):
                return None
            return AgentRinging(call_id=call_id, at=at, channel=message["DestChannel"])
        call_id = self._agent_call_id(message)
        return (
            None if call_id is None else PartyRinging(call_id=call_id, at=at, channel=message["DestChannel"])
        )

    def _on_dial_end(self, message: AmiMessage) -> CallEvent | None:
        if message.get("DialStatus") != "ANSWER":
            return None  # the dialplan's SongdaDialEnd carries the real DIALSTATUS and cause
        call_id = self._agent_call_id(message)
        if call_id is None:
            return None
        connected = _number(message.get("ConnectedLineNum")) or _number(message.get("DestCallerIDNum"))
        return PartyAnswered(
            call_id=call_id, at=self._at(message), channel=message["DestChannel"], connected_number=connected
        )

    def _on_bridge_enter(self, message: AmiMessage) -> CallEvent | None:
        call_id = self._agent_call_id(message)
        if call_id is None:
            return None
        return CallBridged(call_id=call_id, at=self._at(message), bridge_id=message.get("BridgeUniqueid", ""))

    def _on_hold(self, message: AmiMessage) -> CallEvent | None:
        call_id = self.call_id_for(message.get("Linkedid", ""))
        if call_id is None:
            return None
        on_hold = message["Event"] == "Hold"
        return CallHeld(call_id=call_id, at=self._at(message), channel=message["Channel"], on_hold=on_hold)

    def _on_hangup(self, message: AmiMessage) -> CallEvent | None:
        channel = message.get("Channel", "")
        if channel.startswith("Local/") and channel.endswith(";2"):
            return None  # the far half of a Local party leg; its ;1 half stands for the party
        linkedid = message.get("Linkedid", "")
        call_id = self.call_id_for(linkedid)
        if call_id is None:
            return None
        leg = Leg.agent if message.get("Uniqueid") == linkedid else Leg.party
        if leg is Leg.agent:
            self._learned_call_ids.pop(linkedid, None)
        return HungUp(
            call_id=call_id,
            at=self._at(message),
            channel=channel,
            leg=leg,
            cause=_int_or_none(message.get("Cause")),
            cause_text=message.get("Cause-txt"),
        )

    def _on_mixmonitor(self, message: AmiMessage) -> CallEvent | None:
        call_id = self.call_id_for(message.get("Linkedid", ""))
        if call_id is None:
            return None
        event_type = RecordingStarted if message["Event"] == "MixMonitorStart" else RecordingStopped
        return event_type(call_id=call_id, at=self._at(message), channel=message["Channel"])

    def _on_originate_response(self, message: AmiMessage) -> CallEvent | None:
        call_id = message.get("Uniqueid", "")
        if message.get("Response") != "Failure" or not is_call_id(call_id):
            return None
        return OriginateFailed(
            call_id=call_id, at=self._at(message), reason=_int_or_none(message.get("Reason")) or 0
        )

    def _on_user_event(self, message: AmiMessage) -> CallEvent | None:
        name = message.get("UserEvent")
        call_id = message.get("CallId", "")
        if name not in ("SongdaDialEnd", "SongdaRecording") or not is_call_id(call_id):
            return None
        linkedid = message.get("Linkedid", "")
        if linkedid and linkedid != call_id:
            self._learned_call_ids[linkedid] = call_id
        if name == "SongdaRecording":
            return RecordingStarted(call_id=call_id, at=self._at(message), channel=message.get("Channel", ""))
        return DialResult(
            call_id=call_id,
            at=self._at(message),
            dial_status=message.get("DialStatus", ""),
            cause=_int_or_none(message.get("HangupCause")),
            answered_seconds=_int_or_none(message.get("AnsweredTime")),
        )

    def _agent_call_id(self, message: AmiMessage) -> str | None:
        """The call id when MESSAGE is about the agent channel (its Uniqueid is the Linkedid)."""
        linkedid = message.get("Linkedid", "")
        if not linkedid or message.get("Uniqueid") != linkedid:
            return None
        return self.call_id_for(linkedid)


_HANDLERS: dict[str, Handler] = {
    "Newstate": AmiEventNormalizer._on_newstate,
    "DialBegin": AmiEventNormalizer._on_dial_begin,
    "DialState": AmiEventNormalizer._on_dial_state,
    "DialEnd": AmiEventNormalizer._on_dial_end,
    "BridgeEnter": AmiEventNormalizer._on_bridge_enter,
    "Hold": AmiEventNormalizer._on_hold,
    "Unhold": AmiEventNormalizer._on_hold,
    "Hangup": AmiEventNormalizer._on_hangup,
    "MixMonitorStart": AmiEventNormalizer._on_mixmonitor,
    "MixMonitorStop": AmiEventNormalizer._on_mixmonitor,
    "OriginateResponse": AmiEventNormalizer._on_originate_response,
    "UserEvent": AmiEventNormalizer._on_user_event,
}

# What Songda asks Asterisk to send at all (everything else is filtered out before parsing).
WANTED_EVENTS = frozenset(_HANDLERS)
