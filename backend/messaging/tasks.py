"""Tasks of the messaging domain: the day-before pickup reminders."""

import logging

from backend.database import get_session, utcnow
from backend.messaging.reminders import queue_pickup_reminders
from backend.worker import celery_app

PICKUP_REMINDER_TASK = "backend.messaging.tasks.pickup_reminder_task"
log = logging.getLogger(__name__)


@celery_app.task(name=PICKUP_REMINDER_TASK)
def pickup_reminder_task() -> int:
    """Queue the SMS reminding tomorrow's pickup appointments."""
    with get_session() as db_session:
        queued = queue_pickup_reminders(db_session=db_session, now=utcnow())
    if queued:
        log.info("pickup reminders queued: %d", len(queued))
    return len(queued)
