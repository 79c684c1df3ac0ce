"""Proofs are made unasked: an attempt succeeds, its calls' transcripts settle, the proof follows."""

import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import database, taskqueue
from backend.calls.models import CallRecord
from backend.config import get_settings
from backend.evidence import proof_flow
from backend.evidence.models import ProofOfService
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.models import Transcript
from tests.evidence.conftest import RecordedCall


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


def test_a_phone_proof_waits_for_the_transcript_then_is_made_once(
    served_call: RecordedCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "transcribe_after_call", True)
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


def test_a_settled_transcript_queues_the_proof_of_its_succeeded_attempt(
    served_call: RecordedCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "transcribe_after_call", True)
    _transcript(served_call, TranscriptStatus.failed)  # a failed transcript never holds the proof back
    with database.get_session() as session:
        record_id = session.scalars(
            select(CallRecord.id).where(CallRecord.delivery_attempt_id == served_call.attempt_id)
        ).one()
    proof_flow.queue_proof_after_transcription(call_record_id=record_id)
    wait_for_proof(served_call.attempt_id)


def test_tasks_queued_in_a_transaction_that_rolls_back_are_dropped(db_session: Session) -> None:
    taskqueue.enqueue_after_commit(db_session, proof_flow.PROOF_TASK, attempt_id=1)
    db_session.rollback()
    assert not db_session.info.get("songda_after_commit_tasks")
    with pytest.raises(LookupError):
        taskqueue.enqueue_after_commit(db_session, "backend.nowhere.no_task", attempt_id=1)


def wait_for_proof(attempt_id: int, timeout: float = 60) -> ProofOfService:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proof = _proof(attempt_id)
        if proof is not None and proof.evidence_id is not None:
            return proof
        time.sleep(0.1)
    raise AssertionError(f"no proof was made for attempt {attempt_id} within {timeout} s")
