"""Tasks of the pickup domain: the no-show pass."""

import logging

from backend.database import get_session, utcnow
from backend.pickup.no_shows import mark_no_shows
from backend.worker import celery_app

NO_SHOW_TASK = "backend.pickup.tasks.no_show_task"
log = logging.getLogger(__name__)


@celery_app.task(name=NO_SHOW_TASK)
def no_show_task() -> int:
    """Turn the bookings unattended at their day's end into failed attempts with the next one planned."""
    with get_session() as db_session:
        marked = mark_no_shows(db_session=db_session, now=utcnow())
    if marked:
        log.info("pickup no-shows: %d", len(marked))
    return len(marked)
