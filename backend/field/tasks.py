"""Celery tasks of field delivery: thin wrappers over the service, each opening its own session."""

from backend.database import get_session, utcnow
from backend.field import uploads
from backend.worker import celery_app

PURGE_UPLOADS_TASK = "backend.field.tasks.purge_abandoned_uploads_task"


@celery_app.task(name=PURGE_UPLOADS_TASK)
def purge_abandoned_uploads_task() -> int:
    """Drop the bytes of uploads from phones left unfinished for a week; returns how many went."""
    with get_session() as db_session:
        return uploads.purge_abandoned_uploads(db_session=db_session, now=utcnow())
