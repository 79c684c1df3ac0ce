"""Celery tasks of the proofs domain: thin wrappers over the proof flow."""

from backend.proofs import flows as proof_flow
from backend.worker import celery_app


@celery_app.task(name=proof_flow.PROOF_TASK)
def generate_proof_task(attempt_id: int) -> str:
    """Make the proof of service of attempt ATTEMPT_ID once its evidence is complete."""
    return proof_flow.generate_proof_when_ready(attempt_id=attempt_id)


@celery_app.task(name=proof_flow.PROOF_AFTER_TRANSCRIPT_TASK)
def generate_proof_after_transcript_task(call_record_id: int) -> str:
    """Make the proof of the attempt of call record CALL_RECORD_ID if it waited for its transcript."""
    return proof_flow.generate_proof_after_transcript(call_record_id=call_record_id)
