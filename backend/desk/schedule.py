"""The desk domain's periodic job (installed by backend.wiring)."""

from backend.config import get_settings
from backend.core import schedule
from backend.desk.tasks import DESK_SWEEP_TASK

schedule.every(get_settings().desk_sweep_seconds, DESK_SWEEP_TASK)
