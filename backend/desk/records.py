"""Evidence the desk files through the evidence service: what was agreed on a call, with the call's facts
and its recordings' hashes, linked to the phone attempt."""

import json
from typing import Any

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.calls.models import CallRecord
from backend.database import utcnow
from backend.deliveries.models import DeliveryAttempt
from backend.desk.phone import calls_of
from backend.desk.snapshots import iso
from backend.evidence import service as evidence_service
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence

RECORDING_LEGS = ("mix", "agent", "party")


def _recordings(db_session: Session, record: CallRecord) -> dict[str, Any]:
    found = {}
    for leg in RECORDING_LEGS:
        evidence_id = getattr(record, f"{leg}_evidence_id")
        item = db_session.get(Evidence, evidence_id) if evidence_id else None
        if item is not None:
            found[leg] = {"evidence_id": item.id, "sha256": item.sha256}
    return found


def call_facts(db_session: Session, attempt: DeliveryAttempt) -> list[dict[str, Any]]:
    """Numbers, times, outcome and recordings of every call of the attempt."""
    return [
        {
            "call_id": record.call_id,
            "number_dialled": record.number_dialled,
            "connected_number": record.connected_number,
            "originated_at": iso(record.originated_at),
            "answered_at": iso(record.answered_at),
            "ended_at": iso(record.ended_at),
            "talk_seconds": record.talk_seconds,
            "outcome": record.outcome.value if record.outcome else None,
            "recording_status": record.recording_status.value,
            "recordings": _recordings(db_session, record),
        }
        for record in calls_of(db_session, attempt)
    ]


def store_json(
    *,
    db_session: Session,
    actor: User,
    attempt: DeliveryAttempt,
    kind: EvidenceKind,
    payload: dict[str, Any],
) -> Evidence:
    """File PAYLOAD (with the attempt's call facts) as a JSON evidence item of the attempt."""
    calls = call_facts(db_session, attempt)
    document = {
        **payload,
        "case_number": attempt.delivery.case.case_number,
        "delivery_id": attempt.delivery_id,
        "attempt_id": attempt.id,
        "party": attempt.delivery.party.name,
        "agent": {"id": actor.id, "username": actor.username, "full_name": actor.full_name},
        "recorded_at": iso(utcnow()),
        "calls": calls,
    }
    content = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode()
    return evidence_service.store_evidence(
        db_session=db_session,
        case_id=attempt.delivery.case_id,
        kind=kind,
        content_type="application/json",
        content=content,
        metadata={"type": payload["type"], "call_ids": [call["call_id"] for call in calls]},
        created_by_user=actor,
        attempt_id=attempt.id,
    )
