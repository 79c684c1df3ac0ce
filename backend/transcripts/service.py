"""The transcription pipeline of a recorded call: both legs recognised, merged, stored once as evidence.

`transcribe_call_record` runs one attempt (Celery retries it); `transcribe_with_retries` is the in-process
loop of the embedded install. Exactly one Transcript row and one evidence item per call, however many
times or in how many workers it runs (see claims).
"""

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import taskqueue
from backend.calls.enums import RecordingStatus
from backend.calls.models import CallRecord
from backend.config import get_settings
from backend.core import signals
from backend.database import get_session
from backend.evidence import storage
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.evidence.service import store_evidence
from backend.transcripts import claims, flags, index
from backend.transcripts.claims import Claim, TranscriptionBusy
from backend.transcripts.enums import SETTLED_STATUSES, TranscriptStatus
from backend.transcripts.models import Transcript
from backend.transcripts.signals import TranscriptSettled

log = logging.getLogger(__name__)
TRANSCRIBE_TASK = "backend.transcripts.tasks.transcribe_call_task"
TRANSCRIBE_AFTER_RECORDING_TASK = "backend.transcripts.tasks.transcribe_when_recorded_task"
CREATED_BY = "asr"
SPEAKER_NAMES = {"agent": "专员", "party": "当事人"}


class TranscriptionImpossible(ValueError):
    """The call has nothing to transcribe (no complete recording): failed at once, never retried."""


class TranscriptionRetry(RuntimeError):
    """This attempt failed and the transcript waits for another one."""


def request_transcription(*, db_session: Session, call_record_id: int) -> Transcript:
    """The call's transcript row, created pending when missing (the task creates it too)."""
    record = db_session.get(CallRecord, call_record_id)
    if record is None:
        raise TranscriptionImpossible(f"通话记录 {call_record_id} 不存在")
    return claims.ensure_transcript(db_session=db_session, record=record)


def enqueue_transcription(*, call_record_id: int) -> None:
    """Create the pending transcript row, then queue its task (Celery, or in-process for memory://)."""
    with get_session() as db_session:
        request_transcription(db_session=db_session, call_record_id=call_record_id)
    taskqueue.enqueue(TRANSCRIBE_TASK, call_record_id=call_record_id)


def transcribe_when_recorded(*, call_record_id: int) -> None:
    """Hook for the end of a call: queue its transcription if it has a complete recording (and
    settings.transcribe_after_call).

    Never raises: if the queue is unreachable, the pending row stays and `songda transcripts backfill`
    queues it later.
    """
    if not get_settings().transcribe_after_call:
        return
    try:
        with get_session() as db_session:
            record = db_session.get(CallRecord, call_record_id)
            if record is None or record.recording_status is not RecordingStatus.complete:
                return
        enqueue_transcription(call_record_id=call_record_id)
    except Exception:
        log.exception("could not queue the transcription of call record %s", call_record_id)


def transcribe_call_record(*, call_record_id: int) -> TranscriptStatus:
    """One attempt; TranscriptionRetry when it failed and may be retried, TranscriptionBusy when held."""
    status = _transcribe_once(call_record_id)
    if status in SETTLED_STATUSES:
        with get_session() as db_session:
            signals.announce(db_session, TranscriptSettled(call_record_id=call_record_id))
    return status


def _transcribe_once(call_record_id: int) -> TranscriptStatus:
    with get_session() as db_session:
        transcript_id = request_transcription(db_session=db_session, call_record_id=call_record_id).id
    claim = claims.claim_transcript(transcript_id=transcript_id)
    if claim is None:
        return current_status(call_record_id=call_record_id)
    try:
        with claims.heartbeat(claim):
            return _run_claimed(claim)
    except TranscriptionImpossible as error:
        return claims.record_failure(claim=claim, error=error, final=True)
    except Exception as error:
        log.warning("transcription of call record %s failed", call_record_id, exc_info=True)
        status = claims.record_failure(claim=claim, error=error, final=False)
        if status is TranscriptStatus.pending:
            raise TranscriptionRetry(str(error)) from error
        return status


def transcribe_with_retries(*, call_record_id: int) -> TranscriptStatus:
    """In-process runs (memory:// queue): retry with exponential backoff until done or failed."""
    backoff = get_settings().transcription_retry_backoff_seconds
    for attempt in range(get_settings().transcription_max_attempts):
        try:
            return transcribe_call_record(call_record_id=call_record_id)
        except TranscriptionRetry:
            time.sleep(backoff * 2**attempt)
        except TranscriptionBusy:
            return TranscriptStatus.running  # the live worker holding it will finish it
    return current_status(call_record_id=call_record_id)


def current_status(*, call_record_id: int) -> TranscriptStatus:
    with get_session() as db_session:
        transcript = claims.get_transcript(db_session=db_session, call_record_id=call_record_id)
        return transcript.status if transcript else TranscriptStatus.pending


@dataclass(frozen=True, slots=True)
class CallLegs:
    """What the pipeline needs of a call record, read in a short session of its own."""

    call_record_id: int
    call_id: str
    case_id: int
    attempt_id: int
    agent_evidence_id: int
    party_evidence_id: int
    agent_path: Path
    party_path: Path


def _leg(db_session: Session, evidence_id: int | None, leg: str) -> Evidence:
    item = db_session.get(Evidence, evidence_id) if evidence_id is not None else None
    if item is None:
        raise TranscriptionImpossible(f"通话缺少{SPEAKER_NAMES[leg]}一侧的录音")
    return item


def call_legs(*, call_record_id: int) -> CallLegs:
    """The call's two recorded legs; refuses calls that have no complete recording."""
    with get_session() as db_session:
        record = db_session.get_one(CallRecord, call_record_id)
        if record.recording_status in (RecordingStatus.pending, RecordingStatus.recording):
            raise RuntimeError("录音尚未归档")  # retried: the call's files are still being filed
        if record.recording_status is not RecordingStatus.complete:
            raise TranscriptionImpossible("通话没有完整录音，无法转写")
        agent = _leg(db_session, record.agent_evidence_id, "agent")
        party = _leg(db_session, record.party_evidence_id, "party")
        return CallLegs(
            call_record_id=record.id,
            call_id=record.call_id,
            case_id=record.delivery_attempt.delivery.case_id,
            attempt_id=record.delivery_attempt_id,
            agent_evidence_id=agent.id,
            party_evidence_id=party.id,
            agent_path=storage.absolute_path(agent.file_path),
            party_path=storage.absolute_path(party.file_path),
        )


def _run_claimed(claim: Claim) -> TranscriptStatus:
    from backend.transcripts.recognition import recognise_call  # loads Vosk: only where calls are transcribed

    legs = call_legs(call_record_id=claim.call_record_id)
    recognised = recognise_call(agent_leg=legs.agent_path, party_leg=legs.party_path, call_id=legs.call_id)
    with get_session() as db_session:
        transcript = claims.mark_done(db_session=db_session, claim=claim)
        if transcript is None:  # another worker took the claim over and stores its own result
            return db_session.get_one(Transcript, claim.transcript_id).status
        evidence = _store_document(db_session, legs, recognised.document)
        transcript.evidence_id = evidence.id
        transcript.utterances = recognised.utterances
        transcript.text = dialogue_text(recognised.utterances)
        transcript.engine = recognised.document["engine"]
        transcript.audio_seconds = round(recognised.audio_seconds, 3)
        transcript.processing_seconds = round(recognised.processing_seconds, 3)
        db_session.flush()
        index.index_transcript(db_session=db_session, transcript=transcript)
        flags.flag_transcript(db_session=db_session, transcript=transcript, utterances=recognised.utterances)
    return TranscriptStatus.done


def _store_document(db_session: Session, legs: CallLegs, document: dict[str, Any]) -> Evidence:
    content = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    return store_evidence(
        db_session=db_session,
        case_id=legs.case_id,
        kind=EvidenceKind.transcript,
        content_type="application/json",
        content=content,
        metadata={
            "call_id": legs.call_id,
            "call_record_id": legs.call_record_id,
            "engine": document["engine"],
            "agent_evidence_id": legs.agent_evidence_id,
            "party_evidence_id": legs.party_evidence_id,
        },
        created_by_system=CREATED_BY,
        attempt_id=legs.attempt_id,
    )


def dialogue_text(utterances: list[dict[str, Any]]) -> str:
    """One line per utterance, `专员：…` / `当事人：…`."""
    return "\n".join(f"{SPEAKER_NAMES.get(str(u['speaker']), u['speaker'])}：{u['text']}" for u in utterances)


def retry_failed(*, db_session: Session, transcript: Transcript) -> Transcript:
    """Give a failed transcript a fresh set of attempts (the caller queues the task after commit)."""
    if transcript.status is not TranscriptStatus.failed:
        raise ValueError("只有转写失败的记录可以重新转写")
    transcript.status = TranscriptStatus.pending
    transcript.attempts = 0
    return transcript


def unfinished_call_records(*, db_session: Session) -> list[int]:
    """Calls with a complete recording whose transcript is missing, pending, or held by a dead worker."""
    stale = claims.stale_cutoff()
    query = (
        select(CallRecord.id)
        .outerjoin(Transcript, Transcript.call_record_id == CallRecord.id)
        .where(CallRecord.recording_status == RecordingStatus.complete)
        .where(Transcript.id.is_(None) | claims.claimable(stale))
        .order_by(CallRecord.id)
    )
    return list(db_session.scalars(query))
