"""The postal domain's periodic job (installed by backend.wiring)."""

from backend.config import get_settings
from backend.core import schedule
from backend.postal.tasks import POLL_TASK

schedule.every(get_settings().postal_poll_seconds, POLL_TASK)
