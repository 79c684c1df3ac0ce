"""Celery task of the transcripts: a thin wrapper over the service, which opens its own sessions."""

from typing import Any

from backend.config import get_settings
from backend.transcripts import service
from backend.transcripts.claims import TranscriptionBusy
from backend.transcripts.service import TRANSCRIBE_AFTER_RECORDING_TASK, TRANSCRIBE_TASK, TranscriptionRetry
from backend.worker import celery_app

_settings = get_settings()


# The Transcript row counts attempts and marks itself failed after transcription_max_attempts, so Celery
# must never give up first (that would leave the row pending): max_retries=None, backoff capped.
@celery_app.task(
    bind=True,
    name=TRANSCRIBE_TASK,
    autoretry_for=(TranscriptionRetry,),
    retry_backoff=_settings.transcription_retry_backoff_seconds,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=None,
)
def transcribe_call_task(self: Any, call_record_id: int) -> str:
    """Transcribe call record CALL_RECORD_ID; returns the transcript's status."""
    if self.request.called_directly:  # in-process queue (memory://): no broker to retry through
        return service.transcribe_with_retries(call_record_id=call_record_id).value
    try:
        return service.transcribe_call_record(call_record_id=call_record_id).value
    except TranscriptionBusy as busy:
        # Another worker holds it: look again once its heartbeat could have gone stale.
        raise self.retry(exc=busy, countdown=get_settings().transcription_stale_seconds) from busy


@celery_app.task(name=TRANSCRIBE_AFTER_RECORDING_TASK)
def transcribe_when_recorded_task(call_record_id: int) -> None:
    """A call's recording was filed: queue its transcription (if transcription after calls is on)."""
    service.transcribe_when_recorded(call_record_id=call_record_id)
