"""Proofs are made unasked: an attempt succeeds, its calls' transcripts settle, the proof follows."""

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import database, taskqueue
from backend.auth.models import User
from backend.calls.models import CallRecord
from backend.config import get_settings
from backend.core import signals
from backend.proofs import flows as proof_flow
from backend.proofs.models import ProofOfService
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.models import Transcript
from backend.transcripts.signals import TranscriptSettled
from tests.evidence.conftest import RecordedCall, build_served_call
from tests.polling import poll_until


def _proof(attempt_id: int) -> ProofOfService | None:
    with database.get_session() as session:
        return session.scalar(select(ProofOfService).where(ProofOfService.attempt_id == attempt_id))


def _transcript(served_call: RecordedCall, status: TranscriptStatus) -> None:
    with database.get_session() as session:
        query = select(CallRecord).where(CallRecord.delivery_attempt_id == served_call.attempt_id)
        record = session.scalars(query).one()
        existing = session.scalar(select(Transcript).where(Transcript.call_record_id == record.id))
        transcript = existing or Transcript(call_record_id=record.id, case_id=served_call.case_id)
        transcript.status = status
        session.add(transcript)


@pytest.fixture()
def served_waiting_call(
    db: object, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> RecordedCall:
    """A phone attempt served while transcription after calls is on: its proof waits for the transcript."""
    monkeypatch.setattr(get_settings(), "transcribe_after_call", True)
    return build_served_call(make_user)


def test_a_phone_proof_waits_for_the_transcript_then_is_made_once(served_waiting_call: RecordedCall) -> None:
    served_call = served_waiting_call
    _transcript(served_call, TranscriptStatus.running)
    assert proof_flow.generate_proof_when_ready(attempt_id=served_call.attempt_id) == "waiting_for_transcript"
    assert _proof(served_call.attempt_id) is None

    _transcript(served_call, TranscriptStatus.done)
    assert proof_flow.generate_proof_when_ready(attempt_id=served_call.attempt_id) == "generated"
    first = _proof(served_call.attempt_id)
    assert first is not None and first.evidence_id is not None
    assert proof_flow.generate_proof_when_ready(attempt_id=served_call.attempt_id) == "generated"
    again = _proof(served_call.attempt_id)
    assert again is not None and again.evidence_id == first.evidence_id


def test_a_settled_transcript_announced_after_commit_makes_the_waiting_proof(
    served_waiting_call: RecordedCall,
) -> None:
    served_call = served_waiting_call
    taskqueue.shutdown(wait=True)  # the proof task queued by serving has run, and waited
    assert _proof(served_call.attempt_id) is None
    _transcript(served_call, TranscriptStatus.failed)  # a failed transcript never holds the proof back
    with database.get_session() as session:
        record_id = session.scalars(
            select(CallRecord.id).where(CallRecord.delivery_attempt_id == served_call.attempt_id)
        ).one()
        signals.announce(session, TranscriptSettled(call_record_id=record_id))
        assert _proof(served_call.attempt_id) is None  # nothing happens before the commit
    wait_for_proof(served_call.attempt_id)


def test_tasks_queued_in_a_transaction_that_rolls_back_are_dropped(db_session: Session) -> None:
    taskqueue.enqueue_after_commit(db_session, proof_flow.PROOF_TASK, attempt_id=1)
    db_session.rollback()
    assert not db_session.info.get("songda_after_commit_tasks")
    with pytest.raises(LookupError):
        taskqueue.enqueue_after_commit(db_session, "backend.nowhere.no_task", attempt_id=1)


def wait_for_proof(attempt_id: int, timeout: float = 60) -> ProofOfService:
    def made() -> ProofOfService | None:
        proof = _proof(attempt_id)
        return proof if proof is not None and proof.evidence_id is not None else None

    return poll_until(made, timeout=timeout, what=f"no proof was made for attempt {attempt_id}")
