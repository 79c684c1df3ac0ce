"""Tasks of the desk domain: the sweep of wrap-ups, absent agents and expired task locks."""

import logging

from backend.database import get_session
from backend.desk.service import sweep
from backend.worker import celery_app

DESK_SWEEP_TASK = "backend.desk.tasks.desk_sweep_task"
log = logging.getLogger(__name__)


@celery_app.task(name=DESK_SWEEP_TASK)
def desk_sweep_task() -> dict[str, int]:
    """End wrap-ups whose time ran out, sign out agents who left, give back tasks whose lock expired."""
    with get_session() as db_session:
        figures = sweep(db_session=db_session)
    if any(figures.values()):
        log.info("desk sweep: %s", figures)
    return figures
