"""The calls of a case as the case file shows them: recordings, transcript (dialogue) and flags."""

from collections.abc import Sequence
from typing import Literal

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.calls.models import CallRecord
from backend.cases import file_rows
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.evidence.models import Evidence
from backend.transcripts.flags import transcript_flags
from backend.transcripts.models import Transcript, TranscriptFlag
from backend.transcripts.schemas import CaseCallRead, FlagRead, TranscriptRead

Leg = Literal["mix", "agent", "party"]
LEGS: tuple[Leg, ...] = ("mix", "agent", "party")


def transcript_read(
    *, db_session: Session, transcript: Transcript, flags: Sequence[TranscriptFlag] | None = None
) -> TranscriptRead:
    """TRANSCRIPT with its FLAGS (read here when not given: a list of transcripts reads them at once)."""
    if flags is None:
        flags = transcript_flags(db_session=db_session, transcript_ids=[transcript.id])[transcript.id]
    read = TranscriptRead.model_validate(transcript)
    return read.model_copy(update={"flags": [FlagRead.model_validate(flag) for flag in flags]})


CALLS = TypeAdapter(list[CaseCallRead])


def _recordings(record: file_rows.Fields, evidence: dict[int, file_rows.Fields]) -> list[file_rows.Fields]:
    recordings = []
    for leg in LEGS:
        item = evidence.get(record.pop(f"{leg}_evidence_id") or 0)
        if item is not None:
            duration = item["metadata_json"].get("duration_seconds")
            recordings.append(
                {
                    "leg": leg,
                    "evidence_id": item["id"],
                    "duration_seconds": duration,
                    "content_type": item["content_type"],
                }
            )
    return recordings


def _transcripts(db_session: Session, record_ids: Sequence[int]) -> dict[int, file_rows.Fields]:
    """The transcripts of the calls RECORD_IDS (by call) with their flags in dialogue order."""
    transcripts = file_rows.rows(
        db_session,
        select(*file_rows.schema_columns(Transcript, TranscriptRead)).where(
            Transcript.call_record_id.in_(record_ids)
        ),
    )
    flags = file_rows.rows(
        db_session,
        select(*file_rows.schema_columns(TranscriptFlag, FlagRead))
        .where(TranscriptFlag.transcript_id.in_([item["id"] for item in transcripts]))
        .order_by(TranscriptFlag.utterance_index, TranscriptFlag.char_offset, TranscriptFlag.id),
    )
    flags_of: dict[int, list[file_rows.Fields]] = {}
    for flag in flags:
        flags_of.setdefault(flag["transcript_id"], []).append(flag)
    return {item["call_record_id"]: item | {"flags": flags_of.get(item["id"], [])} for item in transcripts}


def case_calls(*, db_session: Session, case_id: int) -> list[CaseCallRead]:
    """Every call of the case, oldest first. Read as column rows and validated once, whole: a large case has
    hundreds of recordings, transcripts and flags."""
    legs = [getattr(CallRecord, f"{leg}_evidence_id") for leg in LEGS]
    records = file_rows.rows(
        db_session,
        select(
            CallRecord.id.label("call_record_id"), *file_rows.schema_columns(CallRecord, CaseCallRead), *legs
        )
        .join(DeliveryAttempt, DeliveryAttempt.id == CallRecord.delivery_attempt_id)
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .where(Delivery.case_id == case_id)
        .order_by(CallRecord.created_at, CallRecord.id),
    )
    evidence_ids = {record[f"{leg}_evidence_id"] for record in records for leg in LEGS} - {None}
    evidence = {
        item["id"]: item
        for item in file_rows.rows(
            db_session,
            select(Evidence.id, Evidence.content_type, Evidence.metadata_json).where(
                Evidence.id.in_(evidence_ids)
            ),
        )
    }
    transcripts = _transcripts(db_session, [record["call_record_id"] for record in records])
    for record in records:
        record["recordings"] = _recordings(record, evidence)
        record["transcript"] = transcripts.get(record["call_record_id"])
    return CALLS.validate_python(records)
