"""The messaging domain's periodic job (installed by backend.wiring): tomorrow's pickup reminders, looked
for every 30 minutes (each booking is reminded once, from 09:00 court time the day before)."""

from backend.core import schedule
from backend.messaging.tasks import PICKUP_REMINDER_TASK

REMINDER_PASS_SECONDS = 30 * 60

schedule.every(REMINDER_PASS_SECONDS, PICKUP_REMINDER_TASK)
