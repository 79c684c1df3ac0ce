"""The pickup domain's periodic job (installed by backend.wiring): no-shows, checked every 15 minutes
(the first pass after midnight at the court catches the day's unattended bookings)."""

from backend.core import schedule
from backend.pickup.tasks import NO_SHOW_TASK

NO_SHOW_PASS_SECONDS = 15 * 60

schedule.every(NO_SHOW_PASS_SECONDS, NO_SHOW_TASK)
