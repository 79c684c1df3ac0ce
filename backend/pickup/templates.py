"""Weekly slot templates of the pickup windows and the court's closed days; slots are generated from them."""

from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.errors import InvalidRequest
from backend.pickup import service
from backend.pickup.models import PickupHoliday, PickupSlot, PickupTemplate, PickupWindow

MAX_DAYS_AHEAD = 120


def parse_weekdays(weekdays: list[int]) -> str:
    """The stored form of ISO weekdays (1 = Monday ... 7 = Sunday)."""
    if not weekdays or any(day < 1 or day > 7 for day in weekdays):
        raise InvalidRequest("开放日须为周一至周日（1-7）中的一天或几天")
    return ",".join(str(day) for day in sorted(set(weekdays)))


def template_weekdays(template: PickupTemplate) -> list[int]:
    return [int(day) for day in template.weekdays.split(",") if day]


def add_template(
    *,
    db_session: Session,
    window: PickupWindow,
    weekdays: list[int],
    start: time,
    end: time,
    slot_minutes: int,
    capacity: int,
) -> PickupTemplate:
    """A weekly pattern of slots for WINDOW: on WEEKDAYS, SLOT_MINUTES slots from START to END."""
    if end <= start:
        raise InvalidRequest("结束时间须晚于开始时间")
    if slot_minutes <= 0 or capacity <= 0:
        raise InvalidRequest("时段长度和容量须为正数")
    template = PickupTemplate(
        window_id=window.id,
        weekdays=parse_weekdays(weekdays),
        start=start,
        end=end,
        slot_minutes=slot_minutes,
        capacity=capacity,
    )
    db_session.add(template)
    db_session.flush()
    return template


def window_templates(*, db_session: Session, window_id: int) -> list[PickupTemplate]:
    query = select(PickupTemplate).where(PickupTemplate.window_id == window_id).order_by(PickupTemplate.id)
    return list(db_session.scalars(query))


def add_holiday(*, db_session: Session, day: date, name: str) -> PickupHoliday:
    """Close the windows on DAY; the slots already open that day with no booking are removed."""
    holiday = db_session.scalar(select(PickupHoliday).where(PickupHoliday.day == day))
    if holiday is None:
        holiday = PickupHoliday(day=day, name=name.strip())
        db_session.add(holiday)
    for slot in service.slots_on(db_session=db_session, day=day):
        if slot.booked == 0:
            db_session.delete(slot)
    db_session.flush()
    return holiday


def holidays_between(*, db_session: Session, first: date, last: date) -> dict[date, str]:
    query = select(PickupHoliday).where(PickupHoliday.day >= first, PickupHoliday.day <= last)
    return {holiday.day: holiday.name for holiday in db_session.scalars(query)}


def generate_slots(*, db_session: Session, window: PickupWindow, first: date, days: int) -> list[PickupSlot]:
    """Open the slots of WINDOW's templates on DAYS days from FIRST, skipping closed days; idempotent."""
    if days < 1 or days > MAX_DAYS_AHEAD:
        raise InvalidRequest(f"一次最多生成 {MAX_DAYS_AHEAD} 天的时段")
    last = first + timedelta(days=days - 1)
    closed = holidays_between(db_session=db_session, first=first, last=last)
    templates = window_templates(db_session=db_session, window_id=window.id)
    if not templates:
        raise InvalidRequest("该窗口尚未设置开放时间模板")
    created: list[PickupSlot] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day in closed:
            continue
        for template in templates:
            if day.isoweekday() in template_weekdays(template):
                created += service.add_slots(
                    db_session=db_session,
                    window=window,
                    day=day,
                    start=template.start,
                    end=template.end,
                    minutes=template.slot_minutes,
                    capacity=template.capacity,
                )
    return created
