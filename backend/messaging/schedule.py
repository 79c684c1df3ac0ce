"""The messaging domain's periodic jobs (installed by backend.wiring): queued messages sent or retried
every SONGDA_MESSAGING_PASS_SECONDS, and tomorrow's pickup reminders looked for every 30 minutes (each
booking is reminded once, from 09:00 court time the day before)."""

from backend.config import get_settings
from backend.core import schedule
from backend.messaging.tasks import PICKUP_REMINDER_TASK, SEND_DUE_TASK

REMINDER_PASS_SECONDS = 30 * 60

schedule.every(REMINDER_PASS_SECONDS, PICKUP_REMINDER_TASK)
schedule.every(get_settings().messaging_pass_seconds, SEND_DUE_TASK)
