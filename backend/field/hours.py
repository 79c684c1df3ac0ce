"""Time in field planning: where and when each officer's day begins and ends, and when a party can be found
at home (a visit window). Times of day are court time (Beijing); the solver counts seconds since midnight."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.models import User
from backend.config import get_settings
from backend.core.clock import BEIJING, beijing_day_start
from backend.core.errors import InvalidRequest
from backend.database import utcnow
from backend.deliveries.models import DeliveryAttempt
from backend.deliveries.service import audit_change
from backend.field.coords import Point
from backend.field.models import OfficerShift, VisitWindow
from backend.field.routing import Span


@dataclass(frozen=True, slots=True)
class OfficerDay:
    """Where an officer sets off and their hours (seconds since midnight, court time)."""

    start: Point
    start_label: str
    hours: Span
    own: bool  # set for this officer (else the court and the default hours)


def seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def clock(seconds_of_day: int) -> time:
    seconds_of_day = max(0, min(seconds_of_day, 24 * 3600 - 1))
    return time(seconds_of_day // 3600, seconds_of_day % 3600 // 60)


def default_hours() -> Span:
    begins, ends = get_settings().field_hours.split("-")
    return Span(seconds(time.fromisoformat(begins)), seconds(time.fromisoformat(ends)))


def seconds_per_metre() -> float:
    return 3.6 / get_settings().field_speed_kmh


def visit_seconds() -> int:
    return get_settings().field_visit_minutes * 60


def court_start() -> Point:
    settings = get_settings()
    return Point(settings.field_start_lon, settings.field_start_lat)


def officer_day(*, db_session: Session, officer_id: int) -> OfficerDay:
    shift = db_session.get(OfficerShift, officer_id)
    if shift is None:
        return OfficerDay(court_start(), "法院", default_hours(), own=False)
    hours = Span(seconds(shift.works_from), seconds(shift.works_until))
    return OfficerDay(Point(shift.start_lon, shift.start_lat), shift.start_label, hours, own=True)


def set_officer_day(
    *,
    db_session: Session,
    actor: User,
    officer: User,
    start: Point,
    start_label: str,
    works_from: time,
    works_until: time,
) -> OfficerShift:
    """Set where OFFICER sets off and their working hours."""
    if works_from >= works_until:
        raise InvalidRequest("下班时间须晚于上班时间")
    shift = db_session.get(OfficerShift, officer.id)
    if shift is None:
        shift = OfficerShift(officer_user_id=officer.id)
        db_session.add(shift)
    shift.start_lon, shift.start_lat = start.lon, start.lat
    shift.start_label = " ".join(start_label.split()) or "出发点"
    shift.works_from, shift.works_until, shift.updated_at = works_from, works_until, utcnow()
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="field_officer_day_set",
        object_type="user",
        object_id=officer.id,
        detail={"from": works_from.isoformat(), "until": works_until.isoformat(), "start": shift.start_label},
    )
    return shift


def windows_of(*, db_session: Session, attempt_ids: list[int]) -> dict[int, VisitWindow]:
    if not attempt_ids:
        return {}
    query = select(VisitWindow).where(VisitWindow.attempt_id.in_(attempt_ids))
    return {window.attempt_id: window for window in db_session.scalars(query)}


def window_span(window: VisitWindow | None) -> Span | None:
    if window is None:
        return None
    return Span(seconds(window.available_from), seconds(window.available_until))


def set_visit_window(
    *,
    db_session: Session,
    actor: User,
    attempt: DeliveryAttempt,
    available_from: time | None,
    available_until: time | None,
    note: str | None,
) -> VisitWindow | None:
    """When the party can be found at home for ATTEMPT (both None: any time); the route keeps to it."""
    window = windows_of(db_session=db_session, attempt_ids=[attempt.id]).get(attempt.id)
    if available_from is None and available_until is None:
        if window is not None:
            db_session.delete(window)
            db_session.flush()
        return None
    if available_from is None or available_until is None or available_from >= available_until:
        raise InvalidRequest("请填写有效的可送达时段（开始早于结束）")
    if window is None:
        window = VisitWindow(attempt_id=attempt.id)
        db_session.add(window)
    window.available_from, window.available_until = available_from, available_until
    window.note, window.set_by_user_id, window.set_at = (note or "").strip() or None, actor.id, utcnow()
    db_session.flush()
    audit_change(
        db_session=db_session,
        actor=actor,
        action="field_window_set",
        target=attempt,
        detail={"from": available_from.isoformat(), "until": available_until.isoformat()},
    )
    return window


OVERTIME = 12 * 3600


def planning_hours(hours: Span, day: date, now: datetime) -> Span:
    """HOURS on DAY, no earlier than NOW when DAY is today (a route planned at noon starts at noon); planned
    after hours, the route is the overtime the officer is working (the visits' windows still bind)."""
    if now.astimezone(BEIJING).date() != day:
        return hours
    elapsed = int((now - beijing_day_start(day)).total_seconds())
    if elapsed < hours.ends_s:
        return Span(max(hours.begins_s, elapsed), hours.ends_s)
    return Span(elapsed, elapsed + OVERTIME)


def moment(day: date, seconds_of_day: int) -> datetime:
    return beijing_day_start(day) + timedelta(seconds=seconds_of_day)
