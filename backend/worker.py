"""The Celery application; embedded installs run the same tasks in-process instead."""

from celery import Celery

from backend.config import get_settings


def _broker_url() -> str:
    url = get_settings().task_queue_url
    return "memory://" if url.startswith("memory") else url


celery_app = Celery("songda", broker=_broker_url(), include=[])
celery_app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    timezone="Asia/Shanghai",
)
