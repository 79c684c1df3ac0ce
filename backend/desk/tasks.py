"""Tasks of the desk domain: the sweep of wrap-ups, absent agents and expired task locks, and the task an
agent gets when an e-mail to a party came back."""

import logging

from backend.database import get_session, utcnow
from backend.desk.bounces import bounce_task
from backend.desk.service import sweep
from backend.worker import celery_app

DESK_SWEEP_TASK = "backend.desk.tasks.desk_sweep_task"
BOUNCE_TASK = "backend.desk.tasks.email_bounce_task"
log = logging.getLogger(__name__)


@celery_app.task(name=DESK_SWEEP_TASK)
def desk_sweep_task() -> dict[str, int]:
    """End wrap-ups whose time ran out, sign out agents who left, give back tasks whose lock expired."""
    with get_session() as db_session:
        figures = sweep(db_session=db_session)
    if any(figures.values()):
        log.info("desk sweep: %s", figures)
    return figures


@celery_app.task(name=BOUNCE_TASK)
def email_bounce_task(message_id: int) -> int | None:
    """Put the returned e-mail MESSAGE_ID on the desk as a task for an agent (its callback's id)."""
    with get_session() as db_session:
        task = bounce_task(db_session=db_session, message_id=message_id, now=utcnow())
        return task.id if task else None
