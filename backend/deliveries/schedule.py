"""The deliveries domain's periodic job (installed by backend.wiring)."""

from backend.config import get_settings
from backend.core import schedule
from backend.deliveries.tasks import ROUTER_PASS_TASK

schedule.every(get_settings().router_pass_seconds, ROUTER_PASS_TASK)
