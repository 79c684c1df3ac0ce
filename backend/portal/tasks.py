"""Tasks of the portal: the pass that serves viewed-but-unsigned electronic attempts on their first view."""

from backend.database import get_session, utcnow
from backend.portal import flows
from backend.worker import celery_app

SERVE_VIEWED_TASK = "backend.portal.tasks.serve_viewed_attempts_task"


@celery_app.task(name=SERVE_VIEWED_TASK)
def serve_viewed_attempts_task() -> int:
    """Serve the electronic attempts the party viewed SONGDA_PORTAL_SIGN_WAIT_MINUTES ago without signing."""
    with get_session() as db_session:
        return len(flows.serve_viewed_attempts(db_session=db_session, now=utcnow()))
