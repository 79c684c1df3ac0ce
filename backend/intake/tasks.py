"""Celery tasks of the intake: thin wrappers over the service, each opening its own sessions."""

from backend.config import get_settings
from backend.database import get_session, utcnow
from backend.intake import service, uploads
from backend.worker import celery_app

IMPORT_TASK = "backend.intake.tasks.import_court_export_task"
PURGE_UPLOADS_TASK = "backend.intake.tasks.purge_stale_uploads_task"


@celery_app.task(name=IMPORT_TASK)
def import_court_export_task(job_id: int) -> str:
    """Run import job JOB_ID; returns its final status."""
    return service.run_job(job_id=job_id).status


@celery_app.task(name=PURGE_UPLOADS_TASK)
def purge_stale_uploads_task() -> int:
    """Remove failed and dry-run uploads past their retention; returns how many folders went."""
    with get_session() as db_session:
        imports_dir = get_settings().data_dir / "imports"
        return uploads.purge_stale_uploads(db_session=db_session, imports_dir=imports_dir, now=utcnow())
