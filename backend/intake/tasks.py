"""Celery tasks of the intake: thin wrappers over the service, each opening its own sessions."""

from backend.intake import service
from backend.worker import celery_app

IMPORT_TASK = "backend.intake.tasks.import_court_export_task"


@celery_app.task(name=IMPORT_TASK)
def import_court_export_task(job_id: int) -> str:
    """Run import job JOB_ID; returns its final status."""
    return service.run_job(job_id=job_id).status
