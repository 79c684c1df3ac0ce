"""Real Celery workers on the test Redis: a worker killed mid-task, and retries ending in `failed`.

Workers run as `celery -A backend.worker:celery_app worker` subprocesses on a private queue, with the
test database (SQLite file or PostgreSQL schema, from SONGDA_DATABASE_URL) and data dir in their env.
"""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator

import kombu.pools
import pytest
import redis
from sqlalchemy import Engine

from backend.config import get_settings
from backend.transcripts import service
from backend.transcripts.enums import TranscriptStatus
from backend.worker import celery_app
from tests.conftest import REPO_ROOT
from tests.polling import poll_until
from tests.transcripts.conftest import (
    CaseWorld,
    Legs,
    recorded_call,
    transcript_evidence_count,
    transcript_rows,
)

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("SONGDA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Short broker and claim timings so that a killed worker's task comes back within seconds.
FAST_RECOVERY = {
    "SONGDA_TASK_QUEUE_URL": REDIS_URL,
    "SONGDA_TASK_VISIBILITY_TIMEOUT_SECONDS": "3",
    "SONGDA_TASK_RESTORE_INTERVAL_SECONDS": "1",
    "SONGDA_TRANSCRIPTION_STALE_SECONDS": "3",
}
WORKER_OPTIONS = [
    "--pool=solo",
    "--loglevel=WARNING",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
]

WorkerFactory = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture()
def celery_workers(db: Engine) -> Iterator[WorkerFactory]:
    """`start(**env)`: a worker subprocess on a private queue; this process sends tasks to that queue."""
    queue = f"songda-transcripts-{uuid.uuid4().hex[:8]}"
    workers: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend.worker:celery_app",
            "worker",
            *WORKER_OPTIONS,
        ]
        worker = subprocess.Popen(
            [*command, "-Q", queue],
            env={**os.environ, **FAST_RECOVERY, **env},
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        workers.append(worker)
        return worker

    saved_env = os.environ.get("SONGDA_TASK_QUEUE_URL")
    os.environ["SONGDA_TASK_QUEUE_URL"] = REDIS_URL
    get_settings.cache_clear()
    previous = (celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    celery_app.conf.update(broker_url=REDIS_URL, task_default_queue=queue)
    _fresh_producer_pool()
    try:
        yield start
    finally:
        celery_app.conf.update(broker_url=previous[0], task_default_queue=previous[1])
        _fresh_producer_pool()
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=20)
        with redis.Redis.from_url(REDIS_URL) as client:
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        os.environ.pop("SONGDA_TASK_QUEUE_URL")
        if saved_env is not None:
            os.environ["SONGDA_TASK_QUEUE_URL"] = saved_env
        get_settings.cache_clear()


def _fresh_producer_pool() -> None:
    """Close and forget the cached broker connections and producers (kombu keeps them per broker URL)."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def wait_for_status(record_id: int, wanted: set[TranscriptStatus], *, timeout: float) -> TranscriptStatus:
    def reached() -> TranscriptStatus | None:
        rows = transcript_rows(record_id)
        return rows[0].status if rows and rows[0].status in wanted else None

    return poll_until(
        reached, timeout=timeout, what=f"transcript of call record {record_id} never reached {wanted}"
    )


def test_a_worker_killed_mid_task_leaves_the_task_to_the_next_worker(
    celery_workers: WorkerFactory, case_world: Callable[[], CaseWorld], dialogue_legs: Legs
) -> None:
    world = case_world()
    record_id = recorded_call(world, dialogue_legs)
    first = celery_workers()

    service.enqueue_transcription(call_record_id=record_id)
    wait_for_status(record_id, {TranscriptStatus.running}, timeout=60)
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=10) == -signal.SIGKILL
    [killed] = transcript_rows(record_id)
    assert (killed.status, killed.attempts) == (TranscriptStatus.running, 1)

    celery_workers()
    assert wait_for_status(record_id, {TranscriptStatus.done}, timeout=120) is TranscriptStatus.done

    [transcript] = transcript_rows(record_id)
    assert transcript.attempts == 2 and transcript.error is None and transcript.utterances
    assert transcript_evidence_count(world.case_id) == 1


def test_celery_retries_with_backoff_then_marks_the_transcript_failed(
    celery_workers: WorkerFactory, case_world: Callable[[], CaseWorld], dialogue_legs: Legs, tmp_path
) -> None:
    world = case_world()
    record_id = recorded_call(world, dialogue_legs)
    celery_workers(
        SONGDA_VOSK_MODEL=str(tmp_path / "missing-model"),
        SONGDA_TRANSCRIPTION_MAX_ATTEMPTS="3",
        SONGDA_TRANSCRIPTION_RETRY_BACKOFF_SECONDS="1",
    )

    service.enqueue_transcription(call_record_id=record_id)

    assert wait_for_status(record_id, {TranscriptStatus.failed}, timeout=60) is TranscriptStatus.failed
    [transcript] = transcript_rows(record_id)
    assert transcript.attempts == 3 and transcript.error and "未找到 Vosk 模型" in transcript.error
    assert transcript_evidence_count(world.case_id) == 0
