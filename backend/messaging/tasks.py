"""Tasks of the messaging domain: sending one queued message, the pass over queued messages (retries
after a gateway was down), and the day-before pickup reminders."""

import logging

from backend.database import get_session, utcnow
from backend.messaging import sending
from backend.messaging.reminders import queue_pickup_reminders
from backend.messaging.service import SEND_MESSAGE_TASK
from backend.worker import celery_app

PICKUP_REMINDER_TASK = "backend.messaging.tasks.pickup_reminder_task"
SEND_DUE_TASK = "backend.messaging.tasks.send_due_messages_task"
log = logging.getLogger(__name__)


@celery_app.task(name=SEND_MESSAGE_TASK)
def send_message_task(message_id: int) -> str | None:
    """Send one queued message (nothing, if another task already took it)."""
    status = sending.send_message(message_id)
    return status.value if status else None


@celery_app.task(name=SEND_DUE_TASK)
def send_due_messages_task() -> int:
    """Send the queued messages whose time has come (first tries and retries)."""
    return sending.send_due()


@celery_app.task(name=PICKUP_REMINDER_TASK)
def pickup_reminder_task() -> int:
    """Queue the SMS reminding tomorrow's pickup appointments."""
    with get_session() as db_session:
        queued = queue_pickup_reminders(db_session=db_session, now=utcnow())
    if queued:
        log.info("pickup reminders queued: %d", len(queued))
    return len(queued)
