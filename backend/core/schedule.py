"""Periodic jobs: declared once by their domain, run by Celery beat in production and by an in-process
scheduler thread in the embedded default (memory:// task queue). A job is a task name run every N seconds
through backend.taskqueue, so both ways run the same function."""

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from backend import taskqueue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    task_name: str
    every_seconds: float


_JOBS: dict[str, PeriodicJob] = {}


def every(seconds: float, task_name: str) -> None:
    """Run TASK_NAME every SECONDS (a domain declares this when backend.wiring imports it)."""
    taskqueue.resolve(task_name)
    _JOBS[task_name] = PeriodicJob(task_name=task_name, every_seconds=seconds)


def jobs() -> list[PeriodicJob]:
    return list(_JOBS.values())


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The jobs as Celery beat's schedule."""
    return {job.task_name: {"task": job.task_name, "schedule": job.every_seconds} for job in jobs()}


class InProcessScheduler:
    """A daemon thread that queues each job when it falls due (embedded installs, one process)."""

    def __init__(self, periodic_jobs: list[PeriodicJob]) -> None:
        self._jobs = periodic_jobs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="songda-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        due = {job.task_name: time.monotonic() for job in self._jobs}
        while not self._stop.is_set():
            now = time.monotonic()
            for job in self._jobs:
                if due[job.task_name] <= now:
                    due[job.task_name] = now + job.every_seconds
                    self._queue(job)
            self._stop.wait(max(0.05, min(due.values(), default=now + 1) - time.monotonic()))

    @staticmethod
    def _queue(job: PeriodicJob) -> None:
        try:
            taskqueue.enqueue(job.task_name)
        except Exception:  # the next tick tries again
            log.exception("could not queue periodic job %s", job.task_name)
