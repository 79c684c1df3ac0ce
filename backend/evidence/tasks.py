"""Celery task of the evidence domain: a thin wrapper over the proof flow."""

from backend.evidence import proof_flow
from backend.worker import celery_app


@celery_app.task(name=proof_flow.PROOF_TASK)
def generate_proof_task(attempt_id: int) -> str:
    """Make the proof of service of attempt ATTEMPT_ID once its evidence is complete."""
    return proof_flow.generate_proof_when_ready(attempt_id=attempt_id)
