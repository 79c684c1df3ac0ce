"""The intake's periodic job (installed by backend.wiring): uploads past their retention are removed."""

from backend.core import schedule
from backend.intake.tasks import PURGE_UPLOADS_TASK

PURGE_EVERY_SECONDS = 3600.0

schedule.every(PURGE_EVERY_SECONDS, PURGE_UPLOADS_TASK)
