"""Call records: create one per idempotency key, apply typed call events to it, decide its outcome."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.calls.enums import RecordingStatus
from backend.calls.models import CallRecord
from backend.calls.outcomes import decide_outcome
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import DeliveryAttempt
from telephony.events import (
    AgentAnswered,
    CallEnded,
    CallEvent,
    CallOriginated,
    DialResult,
    HungUp,
    PartyAnswered,
    PartyDialled,
    PartyRinging,
    RecordingStarted,
    event_to_dict,
)
from telephony.states import advance


class CallRequestError(ValueError):
    """The call cannot be placed as asked (wrong attempt, agent without phone...)."""


class IdempotencyConflict(CallRequestError):
    """The idempotency key was already used for a different call request."""


def get_call(*, db_session: Session, call_id: str) -> CallRecord | None:
    return db_session.scalar(select(CallRecord).where(CallRecord.call_id == call_id))


def get_call_by_key(*, db_session: Session, idempotency_key: str) -> CallRecord | None:
    return db_session.scalar(select(CallRecord).where(CallRecord.idempotency_key == idempotency_key))


def request_call(
    *, db_session: Session, attempt_id: int, agent: User, number: str, idempotency_key: str
) -> tuple[CallRecord, bool]:
    """The call record for IDEMPOTENCY_KEY and whether it was created now (only then may a call be placed)."""
    existing = get_call_by_key(db_session=db_session, idempotency_key=idempotency_key)
    if existing is not None:
        _check_same_request(existing, attempt_id=attempt_id, agent=agent, number=number)
        return existing, False
    _check_can_call(db_session=db_session, attempt_id=attempt_id, agent=agent, number=number)
    record = CallRecord(
        call_id=uuid.uuid4().hex,
        idempotency_key=idempotency_key,
        delivery_attempt_id=attempt_id,
        agent_user_id=agent.id,
        agent_endpoint=agent.sip_extension or "",
        number_dialled=number,
    )
    try:
        with db_session.begin_nested():
            db_session.add(record)
    except IntegrityError:  # the same key committed concurrently by another request
        winner = get_call_by_key(db_session=db_session, idempotency_key=idempotency_key)
        if winner is None:
            raise
        _check_same_request(winner, attempt_id=attempt_id, agent=agent, number=number)
        return winner, False
    return record, True


def _check_can_call(*, db_session: Session, attempt_id: int, agent: User, number: str) -> None:
    attempt = db_session.get(DeliveryAttempt, attempt_id)
    if attempt is None or attempt.method is not DeliveryMethod.phone:
        raise CallRequestError("送达尝试不存在或不是电话送达")
    if not agent.sip_extension:
        raise CallRequestError("当前用户未绑定分机")
    if not number.isdigit() or not 3 <= len(number) <= 20:
        raise CallRequestError("号码格式无效")


def _check_same_request(record: CallRecord, *, attempt_id: int, agent: User, number: str) -> None:
    same = (record.delivery_attempt_id, record.agent_user_id, record.number_dialled) == (
        attempt_id,
        agent.id,
        number,
    )
    if not same:
        raise IdempotencyConflict("该幂等键已用于另一次呼叫")


def apply_events(*, db_session: Session, events: Sequence[CallEvent]) -> list[CallRecord]:
    """Apply EVENTS to their call records (events of unknown calls are ignored); return records that ended."""
    ended: list[CallRecord] = []
    records: dict[str, CallRecord | None] = {}
    for event in events:
        if event.call_id not in records:
            records[event.call_id] = get_call(db_session=db_session, call_id=event.call_id)
        record = records[event.call_id]
        if record is None or not _log_event(record, event):
            continue
        _APPLY.get(type(event), _no_change)(record, event)
        record.status = advance(record.status, event)
        if isinstance(event, CallEnded):
            ended.append(record)
    return ended


def _log_event(record: CallRecord, event: CallEvent) -> bool:
    """Append EVENT to the record's event log; False when it is already there (a replay after restart)."""
    key = "|".join(event.dedupe_key()[1:])
    if any(entry.get("key") == key for entry in record.event_log):
        return False
    entry = {k: v for k, v in event_to_dict(event).items() if k != "call_id"}
    record.event_log = [*record.event_log, {**entry, "key": key}]
    return True


def _originated(record: CallRecord, event: CallOriginated) -> None:
    record.originated_at = record.originated_at or event.at


def _agent_answered(record: CallRecord, event: AgentAnswered) -> None:
    record.agent_answered_at = record.agent_answered_at or event.at


def _party_dialled(record: CallRecord, event: PartyDialled) -> None:
    record.dialled_at = record.dialled_at or event.at


def _party_ringing(record: CallRecord, event: PartyRinging) -> None:
    record.ring_at = record.ring_at or event.at


def _party_answered(record: CallRecord, event: PartyAnswered) -> None:
    record.answered_at = record.answered_at or event.at
    record.connected_number = record.connected_number or event.connected_number or record.number_dialled


def _recording_started(record: CallRecord, event: RecordingStarted) -> None:
    if record.recording_status is RecordingStatus.pending:
        record.recording_status = RecordingStatus.recording


def _dial_result(record: CallRecord, event: DialResult) -> None:
    record.dial_status = event.dial_status


def _call_ended(record: CallRecord, event: CallEnded) -> None:
    record.ended_at = event.at
    record.dial_status = record.dial_status or event.dial_status
    record.hangup_cause = event.cause
    record.hangup_cause_text = _cause_text(record.event_log, event.cause)
    record.outcome = decide_outcome(
        agent_answered=event.agent_answered,
        party_answered=event.party_answered,
        dial_status=event.dial_status,
        cause=event.cause,
    )
    record.talk_seconds = talk_seconds_between(record.answered_at, event.at)


def _cause_text(event_log: list[dict[str, Any]], cause: int | None) -> str | None:
    """Asterisk's text for CAUSE, taken from a leg that hung up with it."""
    texts = [
        e.get("cause_text") for e in event_log if e["type"] == HungUp.__name__ and e.get("cause") == cause
    ]
    return next((text for text in texts if text), None)


def _no_change(record: CallRecord, event: CallEvent) -> None:
    return None


_APPLY: dict[type[CallEvent], Any] = {
    CallOriginated: _originated,
    AgentAnswered: _agent_answered,
    PartyDialled: _party_dialled,
    PartyRinging: _party_ringing,
    PartyAnswered: _party_answered,
    RecordingStarted: _recording_started,
    DialResult: _dial_result,
    CallEnded: _call_ended,
}


def talk_seconds_between(answered_at: datetime | None, ended_at: datetime | None) -> int | None:
    if answered_at is None or ended_at is None:
        return None
    return max(0, round((ended_at - answered_at).total_seconds()))
