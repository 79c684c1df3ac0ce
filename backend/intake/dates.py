"""Dates and times as courts write them, and as Excel stores them."""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.intake.normalize import CellError, clean_text


def _court_timezone() -> tzinfo:
    # China has kept UTC+8 without daylight saving since 1991: exact where tzdata is missing.
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=8), "Asia/Shanghai")


COURT_TIMEZONE = _court_timezone()
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01, after Excel's 1900 leap-year bug
_SERIAL_RANGE = (18264, 73051)  # 1950-01-01 .. 2099-12-31
_DATE_FORMS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_DATE_PREFIX = re.compile(r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日?|\d{8})[T ]?(.*)")
_TIME = re.compile(r"(上午|中午|下午|晚上)?(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?")
_DATE_HINT = "日期「{}」无法识别，请写成2026-03-01、2026/3/1、2026年3月1日或20260301"


def parse_date(value: object) -> date:
    """A date cell: a date value, an Excel serial number, or one of the usual written forms."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not _is_eight_digits(value):
        return _from_serial(value).date()
    text = clean_text(value)
    if _looks_like_serial(text):
        return _from_serial(float(text)).date()
    match = _DATE_PREFIX.fullmatch(text)
    if match is None or (match.group(2) and _parse_time(match.group(2)) != time(0)):
        raise CellError(_DATE_HINT.format(text))
    return _date_from_text(match.group(1), text)


def parse_local_datetime(value: object) -> datetime:
    """A court-local (Asia/Shanghai) date and time, returned in UTC."""
    if isinstance(value, datetime):
        local = value
    elif isinstance(value, date):
        raise CellError("开庭时间缺少具体时刻")
    elif isinstance(value, int | float):
        local = _from_serial(value)
    else:
        local = _local_from_text(clean_text(value))
    if local.tzinfo is None:
        local = local.replace(tzinfo=COURT_TIMEZONE)
    return local.replace(microsecond=0).astimezone(UTC)


def _local_from_text(text: str) -> datetime:
    if _looks_like_serial(text):
        return _from_serial(float(text))
    match = _DATE_PREFIX.fullmatch(text)
    if match is None:
        raise CellError(f"时间「{text}」无法识别，请写成2026-03-15 09:30")
    if not match.group(2).strip():
        raise CellError(f"开庭时间「{text}」缺少具体时刻，请写成2026-03-15 09:30")
    return datetime.combine(_date_from_text(match.group(1), text), _parse_time(match.group(2)))


def _parse_time(text: str) -> time:
    compact = re.sub(r"[时点分]", ":", text.replace(" ", "").replace("秒", "")).rstrip(":")
    match = _TIME.fullmatch(compact)
    if match is None:
        raise CellError(f"时刻「{text}」无法识别，请写成09:30")
    period, hour, minute, second = match.groups()
    hours = int(hour) + (12 if period in ("下午", "晚上") and int(hour) < 12 else 0)
    try:
        return time(hours, int(minute or 0), int(second or 0))
    except ValueError as exc:
        raise CellError(f"时刻「{text}」不存在") from exc


def _date_from_text(date_text: str, whole: str) -> date:
    for form in _DATE_FORMS:
        if match := form.fullmatch(date_text):
            year, month, day = (int(part) for part in match.groups())
            try:
                parsed = date(year, month, day)
            except ValueError as exc:
                raise CellError(f"日期「{whole}」不存在") from exc
            if not 1950 <= parsed.year <= 2099:
                raise CellError(f"日期「{whole}」的年份不合理")
            return parsed
    raise CellError(_DATE_HINT.format(whole))


def _is_eight_digits(value: float) -> bool:
    """A number like 20260301 typed into a numeric cell."""
    return float(value).is_integer() and len(str(int(value))) == 8


def _looks_like_serial(text: str) -> bool:
    return bool(re.fullmatch(r"\d{5}(\.\d+)?", text))


def _from_serial(serial: float) -> datetime:
    if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
        raise CellError(f"「{serial}」不是有效的日期")
    return _EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))
