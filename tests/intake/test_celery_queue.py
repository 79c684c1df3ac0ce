"""With a redis:// task queue the import runs in a real Celery worker process."""

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from backend import taskqueue
from backend.config import get_settings
from backend.database import get_session
from backend.intake import service
from backend.intake.models import ImportJob
from backend.intake.tasks import IMPORT_TASK
from backend.worker import celery_app
from tests.conftest import REPO_ROOT
from tests.intake.exports import two_party_rows, write_csv
from tests.polling import poll_until

WORKER_OPTIONS = (
    "--pool=solo",
    "--loglevel=WARNING",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
)
REDIS_URL = os.environ.get("SONGDA_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture()
def celery_worker(db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A `celery worker` on a private queue of the test Redis, using the test database."""
    queue = f"songda-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "SONGDA_TASK_QUEUE_URL": REDIS_URL}
    node = f"{queue}@{socket.gethostname()}"
    command = [sys.executable, "-m", "celery", "-A", "backend.worker:celery_app", "worker", *WORKER_OPTIONS]
    command += ["-Q", queue, "-n", node]
    worker = subprocess.Popen(
        command, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    monkeypatch.setenv("SONGDA_TASK_QUEUE_URL", REDIS_URL)
    get_settings.cache_clear()
    previous = (celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    celery_app.conf.update(broker_url=REDIS_URL, task_default_queue=queue)
    try:
        _wait_until_ready(node)
        yield queue
    finally:
        celery_app.conf.update(broker_url=previous[0], task_default_queue=previous[1])
        celery_app.pool.force_close_all()
        worker.terminate()
        worker.wait(timeout=20)
        monkeypatch.delenv("SONGDA_TASK_QUEUE_URL")
        get_settings.cache_clear()


def _wait_until_ready(node: str, timeout: float = 60) -> None:
    """A worker that has answered a ping consumes its queue; messages sent earlier could be lost."""
    poll_until(
        lambda: celery_app.control.ping(destination=[node], timeout=0.5) or None,  # [] until it answers
        timeout=timeout,
        what=f"celery worker {node} did not start",
    )


def test_redis_queue_sends_the_import_to_a_celery_worker(celery_worker: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", two_party_rows(), encoding="gbk")
    with get_session() as session:
        job_id = service.create_job(db_session=session, filename=path.name, source_path=path).id
    assert taskqueue.enqueue(IMPORT_TASK, job_id=job_id) is None  # sent, not run here
    seen: list[str] = ["queued"]

    def finished() -> tuple[str, dict[str, Any]] | None:
        with get_session() as session:
            job = session.get_one(ImportJob, job_id)
            seen[:] = [job.status]
            return (job.status, job.summary) if job.status in ("done", "failed") else None

    status, summary = poll_until(finished, timeout=90, what=lambda: seen[0], interval=0.2)
    assert status == "done", status
    assert summary["cases_created"] == 2 and summary["deliveries_created"] == 3
