"""The Celery application; embedded installs run the same tasks in-process instead."""

from celery import Celery

from backend.config import get_settings


def _broker_url() -> str:
    url = get_settings().task_queue_url
    return "memory://" if url.startswith("memory") else url


TASK_MODULES = [
    "backend.intake.tasks",
    "backend.transcripts.tasks",
    "backend.proofs.tasks",
    "backend.deliveries.tasks",
]
# backend.wiring too: a worker started any way (`songda worker`, `celery -A backend.worker`) has the same
# channels, signal listeners and periodic jobs as the API.
celery_app = Celery("songda", broker=_broker_url(), include=[*TASK_MODULES, "backend.wiring"])
celery_app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    timezone="Asia/Shanghai",
    # Redis: a task left unacknowledged (its worker was killed) is redelivered once older than the
    # visibility timeout; workers look for such tasks every task_restore_interval_seconds.
    broker_transport_options={
        "visibility_timeout": get_settings().task_visibility_timeout_seconds,
        "unacked_restore_interval": get_settings().task_restore_interval_seconds,
        "unacked_restore_throttle": 1,
    },
)
