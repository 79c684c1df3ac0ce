"""Background tasks by name, chosen by Settings.task_queue_url like the event bus.

memory:// runs a task on an in-process thread pool (embedded installs, tests) of Settings.task_threads
threads, whose connections the request sessions leave free (backend.database); redis://... sends it to
Celery, whose worker (`songda worker`) runs the same function. A task name is the dotted path of
its function, e.g. "backend.intake.tasks.import_court_export_task"; tasks take ids, not ORM objects.
"""

import importlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from backend.config import get_settings

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def resolve(task_name: str) -> Callable[..., Any]:
    """The function (or Celery task, callable in-process) named by its dotted path."""
    module_name, _, attribute = task_name.rpartition(".")
    try:
        function: object = getattr(importlib.import_module(module_name), attribute, None)
    except ModuleNotFoundError as missing:
        raise LookupError(f"unknown task {task_name!r}") from missing
    if not module_name or not callable(function):
        raise LookupError(f"unknown task {task_name!r}")
    return function


def enqueue(task_name: str, **kwargs: Any) -> Future[Any] | None:
    """Run TASK_NAME(**KWARGS) in the background; in-process runs return their Future."""
    function = resolve(task_name)
    if get_settings().task_queue_url.startswith("memory"):
        future = _pool().submit(function, **kwargs)
        future.add_done_callback(lambda done: _log_failure(task_name, done))
        return future
    from backend.worker import celery_app

    celery_app.send_task(task_name, kwargs=kwargs)
    return None


_AFTER_COMMIT_KEY = "songda_after_commit_tasks"


def enqueue_after_commit(db_session: Session, task_name: str, **kwargs: Any) -> None:
    """Enqueue TASK_NAME once DB_SESSION commits (the task must see the data); dropped on rollback."""
    resolve(task_name)  # an unknown name fails now, inside the request, not later in a worker
    db_session.connection()  # begin the transaction, so that its rollback is seen and drops the task
    db_session.info.setdefault(_AFTER_COMMIT_KEY, []).append((task_name, kwargs))


@event.listens_for(Session, "after_commit")
def _enqueue_committed(db_session: Session) -> None:
    for task_name, kwargs in db_session.info.pop(_AFTER_COMMIT_KEY, []):
        try:
            enqueue(task_name, **kwargs)
        except Exception:  # the commit stands; `songda` backfill commands re-queue what was missed
            logger.exception("could not queue task %s after commit", task_name)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(db_session: Session, _transaction: Any) -> None:
    db_session.info.pop(_AFTER_COMMIT_KEY, None)


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _bind_celery_tasks()
            threads = get_settings().task_threads
            _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="songda-task")
        return _executor


def _bind_celery_tasks() -> None:
    """Bind every declared Celery task now, once: Celery binds a task lazily on its first call, without a
    lock, and two pool threads calling the same task first found it unbound ('NoneType' has no 'push')."""
    from backend.worker import celery_app

    celery_app.finalize(auto=True)


def _log_failure(task_name: str, future: Future[Any]) -> None:
    error = future.exception()
    if error is not None:
        logger.error("task %s failed", task_name, exc_info=error)


def shutdown(wait: bool = True) -> None:
    """Stop the in-process pool (finishing queued tasks when WAIT)."""
    global _executor
    with _executor_lock:
        if _executor is not None:
            _executor.shutdown(wait=wait)
            _executor = None
