"""Field delivery's periodic job (installed by backend.wiring): uploads abandoned by phones are cleared."""

from backend.core import schedule
from backend.field.tasks import PURGE_UPLOADS_TASK

PURGE_EVERY_SECONDS = 3600.0

schedule.every(PURGE_EVERY_SECONDS, PURGE_UPLOADS_TASK)
