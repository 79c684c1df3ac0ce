"""Who works on a transcript: one worker claims it, keeps a heartbeat, and alone may store its result.

Every change is a conditional UPDATE (compare-and-set on status and claim token), so two workers, or a
redelivered task beside a live one, cannot both finish: on PostgreSQL the row lock makes the loser's
UPDATE match nothing, on SQLite the single write lock does. A claim whose heartbeat is older than
settings.transcription_stale_seconds belongs to a dead worker and may be taken over.
"""

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from backend.calls.models import CallRecord
from backend.config import get_settings
from backend.database import get_session, utcnow
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.models import Transcript

log = logging.getLogger(__name__)
ERROR_LIMIT = 2000


class TranscriptionBusy(RuntimeError):
    """A live worker is transcribing this call right now."""


@dataclass(frozen=True, slots=True)
class Claim:
    transcript_id: int
    call_record_id: int
    token: str
    attempt: int


def get_transcript(*, db_session: Session, call_record_id: int) -> Transcript | None:
    return db_session.scalar(select(Transcript).where(Transcript.call_record_id == call_record_id))


def ensure_transcript(*, db_session: Session, record: CallRecord) -> Transcript:
    """The call's transcript row, created pending if it does not exist (safe against a concurrent insert)."""
    existing = get_transcript(db_session=db_session, call_record_id=record.id)
    if existing is not None:
        return existing
    transcript = Transcript(call_record_id=record.id, case_id=record.delivery_attempt.delivery.case_id)
    try:
        with db_session.begin_nested():
            db_session.add(transcript)
    except IntegrityError:
        winner = get_transcript(db_session=db_session, call_record_id=record.id)
        if winner is None:
            raise
        return winner
    return transcript


def _update(db_session: Session, condition: ColumnElement[bool], **values: Any) -> int:
    """UPDATE the transcript rows matching CONDITION; how many matched."""
    result = db_session.execute(update(Transcript).where(condition).values(**values))
    return cast(CursorResult[Any], result).rowcount


def claimable(stale_before: datetime) -> ColumnElement[bool]:
    """Pending, or running with a heartbeat older than STALE_BEFORE."""
    running_stale = and_(
        Transcript.status == TranscriptStatus.running,
        or_(Transcript.heartbeat_at.is_(None), Transcript.heartbeat_at < stale_before),
    )
    return or_(Transcript.status == TranscriptStatus.pending, running_stale)


def stale_cutoff() -> datetime:
    """Heartbeats older than this belong to dead workers."""
    return utcnow() - timedelta(seconds=get_settings().transcription_stale_seconds)


def claim_transcript(*, transcript_id: int) -> Claim | None:
    """Take the transcript for this worker; None when it is already done or failed; busy if held."""
    token, now, stale_before = uuid.uuid4().hex, utcnow(), stale_cutoff()
    with get_session() as db_session:
        claimed = _update(
            db_session,
            and_(Transcript.id == transcript_id, claimable(stale_before)),
            status=TranscriptStatus.running,
            claim_token=token,
            heartbeat_at=now,
            started_at=now,
            attempts=Transcript.attempts + 1,
        )
        transcript = db_session.get_one(Transcript, transcript_id, populate_existing=True)
        if claimed == 1:
            return Claim(transcript_id, transcript.call_record_id, token, transcript.attempts)
        if transcript.status is TranscriptStatus.running:
            raise TranscriptionBusy(f"transcript {transcript_id} is being transcribed by another worker")
        return None


def _held(claim: Claim) -> ColumnElement[bool]:
    return and_(
        Transcript.id == claim.transcript_id,
        Transcript.claim_token == claim.token,
        Transcript.status == TranscriptStatus.running,
    )


def beat(claim: Claim) -> bool:
    """Renew the claim's heartbeat; False when the claim was lost to another worker."""
    with get_session() as db_session:
        return _update(db_session, _held(claim), heartbeat_at=utcnow()) == 1


def _beat_until(claim: Claim, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            if not beat(claim):
                return
        except SQLAlchemyError:
            log.warning("heartbeat of transcript %s failed; retrying", claim.transcript_id, exc_info=True)


@contextmanager
def heartbeat(claim: Claim) -> Iterator[None]:
    """Keep the claim alive from a background thread while the body runs."""
    stop = threading.Event()
    interval = max(0.2, get_settings().transcription_stale_seconds / 4)
    thread = threading.Thread(target=_beat_until, args=(claim, stop, interval), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def mark_done(*, db_session: Session, claim: Claim) -> Transcript | None:
    """In the caller's transaction: the transcript switched to done if the claim still holds, else None."""
    now = utcnow()
    done = {"status": TranscriptStatus.done, "finished_at": now, "heartbeat_at": now, "error": None}
    if _update(db_session, _held(claim), **done) != 1:
        return None
    return db_session.get_one(Transcript, claim.transcript_id, populate_existing=True)


def record_failure(*, claim: Claim, error: BaseException, final: bool) -> TranscriptStatus:
    """Release the claim with the error: failed when FINAL or out of attempts, else pending for a retry."""
    out_of_attempts = claim.attempt >= get_settings().transcription_max_attempts
    status = TranscriptStatus.failed if final or out_of_attempts else TranscriptStatus.pending
    message = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
    with get_session() as db_session:
        finished = utcnow() if status is TranscriptStatus.failed else None
        released = {"status": status, "error": message, "claim_token": None, "finished_at": finished}
        if _update(db_session, _held(claim), **released) != 1:
            return db_session.get_one(Transcript, claim.transcript_id).status  # another worker took it over
    return status
