"""The calls of a case as the case file shows them: recordings, transcript (dialogue) and flags."""

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.calls.models import CallRecord
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.evidence.models import Evidence
from backend.transcripts.flags import transcript_flags
from backend.transcripts.models import Transcript, TranscriptFlag
from backend.transcripts.schemas import CaseCallRead, FlagRead, RecordingRead, TranscriptRead

Leg = Literal["mix", "agent", "party"]
LEGS: tuple[Leg, ...] = ("mix", "agent", "party")


def case_call_records(*, db_session: Session, case_id: int) -> list[CallRecord]:
    query = (
        select(CallRecord)
        .join(DeliveryAttempt, DeliveryAttempt.id == CallRecord.delivery_attempt_id)
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .where(Delivery.case_id == case_id)
        .order_by(CallRecord.created_at, CallRecord.id)
    )
    return list(db_session.scalars(query))


def transcript_read(
    *, db_session: Session, transcript: Transcript, flags: Sequence[TranscriptFlag] | None = None
) -> TranscriptRead:
    """TRANSCRIPT with its FLAGS (read here when not given: a list of transcripts reads them at once)."""
    if flags is None:
        flags = transcript_flags(db_session=db_session, transcript_ids=[transcript.id])[transcript.id]
    read = TranscriptRead.model_validate(transcript)
    return read.model_copy(update={"flags": [FlagRead.model_validate(flag) for flag in flags]})


def _recordings(record: CallRecord, evidence: dict[int, Evidence]) -> list[RecordingRead]:
    recordings = []
    for leg in LEGS:
        item = evidence.get(getattr(record, f"{leg}_evidence_id") or 0)
        if item is not None:
            duration = item.metadata_json.get("duration_seconds")
            recordings.append(
                RecordingRead(
                    leg=leg, evidence_id=item.id, duration_seconds=duration, content_type=item.content_type
                )
            )
    return recordings


def _evidence_of(db_session: Session, records: Sequence[CallRecord]) -> dict[int, Evidence]:
    ids = {getattr(r, f"{leg}_evidence_id") for r in records for leg in LEGS} - {None}
    return {item.id: item for item in db_session.scalars(select(Evidence).where(Evidence.id.in_(ids)))}


def case_calls(*, db_session: Session, case_id: int) -> list[CaseCallRead]:
    """Every call of the case, oldest first."""
    records = case_call_records(db_session=db_session, case_id=case_id)
    evidence = _evidence_of(db_session, records)
    query = select(Transcript).where(Transcript.call_record_id.in_([record.id for record in records]))
    found = list(db_session.scalars(query))
    flags = transcript_flags(db_session=db_session, transcript_ids=[item.id for item in found])
    transcripts = {
        item.call_record_id: transcript_read(db_session=db_session, transcript=item, flags=flags[item.id])
        for item in found
    }
    return [
        CaseCallRead(
            call_record_id=record.id,
            call_id=record.call_id,
            delivery_attempt_id=record.delivery_attempt_id,
            agent_user_id=record.agent_user_id,
            number_dialled=record.number_dialled,
            connected_number=record.connected_number,
            status=record.status,
            outcome=record.outcome,
            originated_at=record.originated_at,
            answered_at=record.answered_at,
            ended_at=record.ended_at,
            talk_seconds=record.talk_seconds,
            recording_status=record.recording_status,
            recording_seconds=record.recording_seconds,
            recordings=_recordings(record, evidence),
            transcript=transcripts.get(record.id),
        )
        for record in records
    ]
