"""The court clock: Beijing time (China has no daylight saving)."""

from datetime import UTC, date, datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def court_today() -> date:
    """Today's date at the court."""
    return datetime.now(BEIJING).date()


def beijing_day_start(day: date) -> datetime:
    """Midnight of DAY in Beijing, as a UTC moment."""
    return datetime.combine(day, time.min, tzinfo=BEIJING).astimezone(UTC)
