"""Tasks of the electronic channel: the pass over planned electronic attempts, and a message's progress
recorded on its attempt (a report and the send may be handled at once: the loser of that race retries)."""

from sqlalchemy.exc import IntegrityError, OperationalError

from backend.database import get_session, utcnow
from backend.electronic import flows
from backend.worker import celery_app

START_ATTEMPTS_TASK = "backend.electronic.tasks.start_electronic_attempts_task"
MESSAGE_PROGRESS_TASK = "backend.electronic.tasks.message_progress_task"
RACE_RETRIES = 3


@celery_app.task(name=START_ATTEMPTS_TASK)
def start_electronic_attempts_task() -> int:
    """Begin the planned electronic attempts whose time has come (their notices are queued)."""
    with get_session() as db_session:
        return len(flows.start_due_attempts(db_session=db_session, now=utcnow()))


@celery_app.task(name=MESSAGE_PROGRESS_TASK)
def message_progress_task(message_id: int) -> None:
    """Record the facts MESSAGE_ID's progress gives its attempt (served, or failed and replanned)."""
    for remaining in reversed(range(RACE_RETRIES)):
        try:
            with get_session() as db_session:
                flows.on_message_progress(db_session=db_session, message_id=message_id)
            return
        except (IntegrityError, OperationalError):
            if not remaining:
                raise
