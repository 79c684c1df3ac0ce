"""Mileage and visit figures per officer, per day and per month: the planned route's length and the
kilometres measured on the GPS track (the figure that counts), stops, results and hours on the road."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.clock import BEIJING, beijing_day_start
from backend.field.coords import Point
from backend.field.enums import SERVING_RESULTS
from backend.field.mileage import Fix, track_length_m
from backend.field.models import FieldAssignment, FieldRoute, TrackPoint


def fixes_between(*, db_session: Session, officer_id: int, start: datetime, end: datetime) -> list[Fix]:
    query = (
        select(TrackPoint)
        .where(TrackPoint.officer_user_id == officer_id, TrackPoint.at >= start, TrackPoint.at <= end)
        .order_by(TrackPoint.at)
    )
    return [Fix(p.at, Point(p.lon, p.lat), p.accuracy_m) for p in db_session.scalars(query)]


def leg_track_m(*, db_session: Session, assignment: FieldAssignment) -> float:
    """The track driven to this visit: from the previous check-in of the day (or the day's start)."""
    arrived = assignment.checked_in_at
    if arrived is None:
        return 0.0
    earlier = select(FieldAssignment.checked_in_at).where(
        FieldAssignment.officer_user_id == assignment.officer_user_id,
        FieldAssignment.day == assignment.day,
        FieldAssignment.checked_in_at < arrived,
    )
    previous = max(db_session.scalars(earlier), default=beijing_day_start(assignment.day))
    fixes = fixes_between(
        db_session=db_session, officer_id=assignment.officer_user_id, start=previous, end=arrived
    )
    return track_length_m(fixes)


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: date
    stops: int
    visited: int
    served: int
    failed: int
    planned_km: float
    track_km: float
    hours: float


def day_figures(*, db_session: Session, officer_id: int, day: date) -> DayFigures:
    start, end = beijing_day_start(day), beijing_day_start(day + timedelta(days=1))
    visits = list(
        db_session.scalars(
            select(FieldAssignment).where(
                FieldAssignment.officer_user_id == officer_id, FieldAssignment.day == day
            )
        )
    )
    route = db_session.scalars(
        select(FieldRoute).where(FieldRoute.officer_user_id == officer_id, FieldRoute.day == day)
    ).first()
    fixes = fixes_between(db_session=db_session, officer_id=officer_id, start=start, end=end)
    finished = [v for v in visits if v.result is not None]
    served = sum(1 for v in finished if v.result in SERVING_RESULTS)
    hours = (fixes[-1].at - fixes[0].at).total_seconds() / 3600 if len(fixes) > 1 else 0.0
    return DayFigures(
        day=day,
        stops=len(visits),
        visited=sum(1 for v in visits if v.checked_in_at is not None),
        served=served,
        failed=len(finished) - served,
        planned_km=round((route.planned_m if route else 0) / 1000, 2),
        track_km=round(track_length_m(fixes) / 1000, 2),
        hours=round(hours, 2),
    )


def active_days(*, db_session: Session, officer_id: int, first: date, last: date) -> list[date]:
    """The days of [FIRST, LAST] with a visit, a route or a track."""
    days = set(
        db_session.scalars(
            select(FieldAssignment.day).where(
                FieldAssignment.officer_user_id == officer_id, FieldAssignment.day.between(first, last)
            )
        )
    )
    days |= set(
        db_session.scalars(
            select(FieldRoute.day).where(
                FieldRoute.officer_user_id == officer_id, FieldRoute.day.between(first, last)
            )
        )
    )
    moments = db_session.scalars(
        select(TrackPoint.at).where(
            TrackPoint.officer_user_id == officer_id,
            TrackPoint.at >= beijing_day_start(first),
            TrackPoint.at < beijing_day_start(last + timedelta(days=1)),
        )
    )
    days |= {moment.astimezone(BEIJING).date() for moment in moments}
    return sorted(days)


def month_figures(*, db_session: Session, officer_id: int, month: date) -> list[DayFigures]:
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return [
        day_figures(db_session=db_session, officer_id=officer_id, day=day)
        for day in active_days(db_session=db_session, officer_id=officer_id, first=first, last=last)
    ]
