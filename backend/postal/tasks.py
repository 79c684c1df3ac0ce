"""Tasks of the postal domain: polling the vendor for the tracking of open letters."""

import logging

from backend.database import get_session
from backend.postal import tracking
from backend.postal.gateway import postal_gateway
from backend.worker import celery_app

POLL_TASK = "backend.postal.tasks.poll_tracking_task"
log = logging.getLogger(__name__)


@celery_app.task(name=POLL_TASK)
def poll_tracking_task() -> dict[str, int]:
    """Read the vendor's events of the open letters heard from least recently, and decide outcomes."""
    with get_session() as db_session:
        report = tracking.poll(db_session=db_session, gateway=postal_gateway())
    figures = {"stored": report.stored, "decided": len(report.decided)}
    if report.stored:
        log.info("postal poll: %s", figures)
    return figures
