"""Tasks of the deliveries domain: the router's periodic pass."""

import logging

from backend.database import get_session, utcnow
from backend.deliveries.sweep import run_router_pass
from backend.worker import celery_app

ROUTER_PASS_TASK = "backend.deliveries.tasks.router_pass_task"
log = logging.getLogger(__name__)


@celery_app.task(name=ROUTER_PASS_TASK)
def router_pass_task() -> dict[str, int]:
    """Raise missed start-by alerts, plan missing follow-ups, serve notices that fell due."""
    with get_session() as db_session:
        report = run_router_pass(db_session=db_session, now=utcnow())
    figures = {
        "alerts_raised": len(report.alerts_raised),
        "alerts_resolved": report.alerts_resolved,
        "planned": len(report.planned),
        "first_planned": len(report.first_planned),
        "notices_served": len(report.notices_served),
    }
    if any(figures.values()):
        log.info("router pass: %s", figures)
    return figures
