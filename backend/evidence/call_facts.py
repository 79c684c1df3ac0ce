"""What a phone proof needs from the call records of an attempt: numbers, times and recordings."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.calls.enums import CallOutcome
from backend.calls.models import CallRecord


def proof_call(*, db_session: Session, attempt_id: int) -> CallRecord | None:
    """The attempt's answered call (the last one if several), else its last call."""
    records = list(
        db_session.scalars(
            select(CallRecord).where(CallRecord.delivery_attempt_id == attempt_id).order_by(CallRecord.id)
        )
    )
    answered = [record for record in records if record.outcome is CallOutcome.answered]
    chosen = answered or records
    return chosen[-1] if chosen else None


def call_details(*, db_session: Session, attempt_id: int) -> dict[str, Any]:
    """The proof facts of the attempt's call, keyed as in proof_facts.METHOD_FIELDS."""
    record = proof_call(db_session=db_session, attempt_id=attempt_id)
    if record is None:
        return {}
    details = {
        "call_id": record.call_id,
        "number_dialled": record.number_dialled,
        "connected_number": record.connected_number,
        "started_at": record.dialled_at or record.originated_at,
        "answered_at": record.answered_at,
        "ended_at": record.ended_at,
        "talk_seconds": record.talk_seconds,
        "hangup_cause": record.hangup_cause_text,
    }
    return {key: value for key, value in details.items() if value is not None}


def call_evidence_ids(*, db_session: Session, attempt_id: int) -> set[int]:
    """The recordings the attempt's calls point at (whether or not linked to the attempt)."""
    query = select(CallRecord.mix_evidence_id, CallRecord.agent_evidence_id, CallRecord.party_evidence_id)
    rows = db_session.execute(query.where(CallRecord.delivery_attempt_id == attempt_id))
    return {item_id for row in rows for item_id in row if item_id is not None}
