"""When a proof of service is made: once an attempt has succeeded and its calls' transcripts are settled.

Two events lead here: the attempt succeeding, and a transcription of one of its calls finishing. Whichever
comes last generates the proof; generate_proof returns the existing proof when both get through.
"""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.calls.enums import RecordingStatus
from backend.calls.models import CallRecord
from backend.config import get_settings
from backend.database import get_session
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.models import DeliveryAttempt
from backend.evidence import proof
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.models import Transcript

PROOF_TASK = "backend.evidence.tasks.generate_proof_task"
SETTLED = frozenset({TranscriptStatus.done, TranscriptStatus.failed})
log = logging.getLogger(__name__)


def transcripts_pending(*, db_session: Session, attempt_id: int) -> bool:
    """True while a recorded call of the attempt still waits for its transcript."""
    if not get_settings().transcribe_after_call:
        return False
    query = (
        select(Transcript.status)
        .select_from(CallRecord)
        .outerjoin(Transcript, Transcript.call_record_id == CallRecord.id)
        .where(
            CallRecord.delivery_attempt_id == attempt_id,
            CallRecord.recording_status == RecordingStatus.complete,
        )
    )
    return any(status not in SETTLED for status in db_session.scalars(query))


def generate_proof_when_ready(*, attempt_id: int) -> str:
    """Generate the attempt's proof if it succeeded and its evidence is complete; says what happened."""
    with get_session() as db_session:
        attempt = db_session.get(DeliveryAttempt, attempt_id)
        if attempt is None or attempt.status is not AttemptStatus.succeeded:
            return "not_succeeded"
        if transcripts_pending(db_session=db_session, attempt_id=attempt_id):
            return "waiting_for_transcript"  # the transcription's end queues this again
        proof.generate_or_existing_proof(db_session=db_session, attempt_id=attempt_id)
        return "generated"


def queue_proof_after_transcription(*, call_record_id: int) -> None:
    """A call's transcript is settled: its attempt's proof may now be made."""
    from backend import taskqueue

    with get_session() as db_session:
        attempt_id = db_session.scalar(
            select(CallRecord.delivery_attempt_id).where(CallRecord.id == call_record_id)
        )
    if attempt_id is not None:
        try:
            taskqueue.enqueue(PROOF_TASK, attempt_id=attempt_id)
        except Exception:
            log.exception("could not queue the proof of attempt %s", attempt_id)
