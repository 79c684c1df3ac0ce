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
from backend.proofs import service as proof
from backend.transcripts.enums import SETTLED_STATUSES
from backend.transcripts.models import Transcript

PROOF_TASK = "backend.proofs.tasks.generate_proof_task"
PROOF_AFTER_TRANSCRIPT_TASK = "backend.proofs.tasks.generate_proof_after_transcript_task"
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
    return any(status not in SETTLED_STATUSES for status in db_session.scalars(query))


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


def generate_proof_after_transcript(*, call_record_id: int) -> str:
    """A call's transcript is settled: make its attempt's proof if it was waiting for it."""
    with get_session() as db_session:
        attempt_id = db_session.scalar(
            select(CallRecord.delivery_attempt_id).where(CallRecord.id == call_record_id)
        )
    return "no_attempt" if attempt_id is None else generate_proof_when_ready(attempt_id=attempt_id)
