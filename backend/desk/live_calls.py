"""Calls as the desk shows them: one dict per call (state, who, which delivery, times, outcome), built
from call records (snapshots) and kept up to date from typed call events (the websocket hub)."""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.calls.models import CallRecord
from backend.calls.outcomes import decide_outcome
from backend.deliveries.models import DeliveryAttempt
from backend.desk.snapshots import iso
from telephony.causes import cause_label
from telephony.events import (
    CallEnded,
    CallEvent,
    CallHeld,
    CallOriginated,
    PartyAnswered,
    RecordingStarted,
    RecordingStopped,
)
from telephony.states import CALL_STATE_LABELS, CallState, advance

LIVE_WINDOW = timedelta(hours=12)  # older unfinished records are stale, not live
REMEMBERED_CALLS = 5_000


@dataclass(frozen=True, slots=True)
class CallOwner:
    """What the call record says about a call: whose it is and for which delivery."""

    agent_user_id: int
    delivery_id: int
    attempt_id: int
    number: str


def announced_owner(event: CallEvent) -> CallOwner | None:
    """The owner a CallOriginated names (a call Songda placed), else None."""
    if not isinstance(event, CallOriginated):
        return None
    if event.agent_user_id is None or event.delivery_id is None or event.attempt_id is None:
        return None
    return CallOwner(event.agent_user_id, event.delivery_id, event.attempt_id, event.number)


def owner_of(*, db_session: Session, call_id: str) -> CallOwner | None:
    row = db_session.execute(
        select(
            CallRecord.agent_user_id,
            DeliveryAttempt.delivery_id,
            CallRecord.delivery_attempt_id,
            CallRecord.number_dialled,
        )
        .join(DeliveryAttempt, DeliveryAttempt.id == CallRecord.delivery_attempt_id)
        .where(CallRecord.call_id == call_id)
    ).one_or_none()
    return CallOwner(*row) if row is not None else None


def record_data(record: CallRecord, delivery_id: int | None) -> dict[str, Any]:
    return {
        "call_id": record.call_id,
        **_state_data(record.status),
        "delivery_id": delivery_id,
        "attempt_id": record.delivery_attempt_id,
        "agent_user_id": record.agent_user_id,
        "number": record.number_dialled,
        "started_at": iso(record.originated_at or record.created_at),
        "answered_at": iso(record.answered_at),
        "ended_at": iso(record.ended_at),
        "outcome": record.outcome.value if record.outcome else None,
        "cause": record.hangup_cause,
        "cause_label": cause_label(record.hangup_cause),
        "on_hold": False,
        "recording": record.recording_status.value == "recording",
    }


def live_records(
    *, db_session: Session, now: datetime, agent_user_id: int | None = None
) -> list[dict[str, Any]]:
    """Calls whose record is not ended yet (started in the last 12 hours)."""
    query = (
        select(CallRecord, DeliveryAttempt.delivery_id)
        .join(DeliveryAttempt, DeliveryAttempt.id == CallRecord.delivery_attempt_id)
        .where(CallRecord.status != CallState.ended, CallRecord.created_at > now - LIVE_WINDOW)
        .order_by(CallRecord.id)
    )
    if agent_user_id is not None:
        query = query.where(CallRecord.agent_user_id == agent_user_id)
    return [record_data(record, delivery_id) for record, delivery_id in db_session.execute(query)]


def _state_data(state: CallState) -> dict[str, str]:
    return {"state": state.value, "state_label": CALL_STATE_LABELS[state]}


def _new_call(event: CallEvent, owner: CallOwner | None) -> dict[str, Any]:
    return {
        "call_id": event.call_id,
        **_state_data(CallState.originating),
        "delivery_id": owner.delivery_id if owner else None,
        "attempt_id": owner.attempt_id if owner else None,
        "agent_user_id": owner.agent_user_id if owner else None,
        "number": owner.number if owner else getattr(event, "number", None),
        "started_at": iso(event.at),
        "answered_at": None,
        "ended_at": None,
        "outcome": None,
        "cause": None,
        "cause_label": None,
        "on_hold": False,
        "recording": False,
    }


class LiveCallBoard:
    """The calls this process has heard about, as dicts; `apply` returns the call's new data when the
    event changed what the desk shows (state, hold, recording), else None. Thread-safe: REST handlers
    and snapshot builders read it from worker threads."""

    def __init__(self) -> None:
        self.calls: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._guard = threading.Lock()

    def apply(self, event: CallEvent, owner: CallOwner | None) -> dict[str, Any] | None:
        with self._guard:
            return self._apply(event, owner)

    def _apply(self, event: CallEvent, owner: CallOwner | None) -> dict[str, Any] | None:
        call = self.calls.get(event.call_id)
        if call is None:
            if isinstance(event, CallEnded | RecordingStopped):
                return None  # the end of a call this process never saw live: nothing to show
            call = self.calls[event.call_id] = _new_call(event, owner)
            while len(self.calls) > REMEMBERED_CALLS:
                self.calls.popitem(last=False)
        before = dict(call)
        _update(call, event)
        if isinstance(event, CallEnded):
            del self.calls[event.call_id]
        return dict(call) if call != before or isinstance(event, CallOriginated) else None

    def merged_with(
        self, rows: list[dict[str, Any]], *, agent_user_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Database rows overlaid with what this process heard since (it is usually ahead)."""
        merged = {row["call_id"]: row for row in rows}
        with self._guard:
            heard = [dict(call) for call in self.calls.values()]
        for call in heard:
            if agent_user_id is None or call["agent_user_id"] == agent_user_id:
                merged[call["call_id"]] = call
        return list(merged.values())


def _update(call: dict[str, Any], event: CallEvent) -> None:
    call.update(_state_data(advance(CallState(call["state"]), event)))
    if isinstance(event, PartyAnswered):
        call["answered_at"] = call["answered_at"] or iso(event.at)
    elif isinstance(event, CallHeld):
        call["on_hold"] = event.on_hold
    elif isinstance(event, RecordingStarted | RecordingStopped):
        call["recording"] = isinstance(event, RecordingStarted)
    elif isinstance(event, CallEnded):
        call["ended_at"] = iso(event.at)
        call["cause"] = event.cause
        call["cause_label"] = cause_label(event.cause)
        call["outcome"] = decide_outcome(
            agent_answered=event.agent_answered,
            party_answered=event.party_answered,
            dial_status=event.dial_status,
            cause=event.cause,
        ).value
