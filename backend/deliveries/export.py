"""The deliveries list as an Excel workbook (the supervisors' board): the same filters and scope as the
list, read page by page after a cursor and written row by row (openpyxl's write-only mode), then sent in
chunks from a spooled file."""

import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.cases.enums import CASE_TYPE_LABELS
from backend.cases.service import OPEN_DELIVERY_STATUSES
from backend.core.clock import BEIJING, court_today
from backend.deliveries import queries
from backend.deliveries.enums import DELIVERY_STATUS_LABELS, METHOD_LABELS, AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.schemas import DeliveryFilters

EXPORT_LIMIT = 100_000
CHUNK_ROWS = 200
SPOOL_BYTES = 8 * 1024 * 1024
HEADERS = (
    "任务编号", "案号", "案件类型", "受送达人", "状态", "送达期限", "是否超期", "当前送达方式",
    "坐席组", "承办人", "已送达方式", "送达时间", "法定送达日期", "创建时间",
)  # fmt: skip
WIDTHS = (10, 26, 10, 24, 10, 12, 10, 14, 12, 12, 14, 18, 14, 18)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _beijing(moment: datetime | None) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment else ""


def _pages(db_session: Session, user: User, filters: DeliveryFilters) -> Iterator[list[Delivery]]:
    cursor: str | None = None
    sent = 0
    while sent < EXPORT_LIMIT:
        page = filters.model_copy(update={"after": cursor, "page": 1, "page_size": CHUNK_ROWS})
        items, _total, cursor = queries.list_deliveries(db_session=db_session, user=user, filters=page)
        if items:
            yield items[: EXPORT_LIMIT - sent]
            sent += len(items)
        if cursor is None:
            return


def _current_methods(db_session: Session, ids: list[int]) -> dict[int, DeliveryMethod]:
    query = (
        select(DeliveryAttempt.delivery_id, DeliveryAttempt.method)
        .where(
            DeliveryAttempt.delivery_id.in_(ids),
            DeliveryAttempt.status.in_((AttemptStatus.planned, AttemptStatus.in_progress)),
        )
        .order_by(DeliveryAttempt.id)
    )
    return {delivery_id: method for delivery_id, method in db_session.execute(query)}


def _user_names(db_session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db_session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def _row(delivery: Delivery, method: DeliveryMethod | None, names: dict[int, str], today: date) -> list[Any]:
    open_delivery = delivery.status in OPEN_DELIVERY_STATUSES
    overdue = open_delivery and delivery.deadline is not None and delivery.deadline < today
    return [
        delivery.id,
        delivery.case.case_number,
        CASE_TYPE_LABELS[delivery.case.case_type],
        delivery.party.name,
        DELIVERY_STATUS_LABELS[delivery.status],
        delivery.deadline.isoformat() if delivery.deadline else "",
        "已超期" if overdue else "",
        METHOD_LABELS[method] if method else "",
        delivery.agent_group or "",
        names.get(delivery.assignee_user_id, "") if delivery.assignee_user_id else "",
        METHOD_LABELS[delivery.served_method] if delivery.served_method else "",
        _beijing(delivery.served_at),
        delivery.legal_service_date.isoformat() if delivery.legal_service_date else "",
        _beijing(delivery.created_at),
    ]


def write_workbook(*, db_session: Session, user: User, filters: DeliveryFilters, into: IO[bytes]) -> int:
    """Write the filtered deliveries in the caller's scope into INTO; returns the number of rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("送达任务")
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
    sheet.append(list(HEADERS))
    today, count = court_today(), 0
    for items in _pages(db_session, user, filters):
        ids = [delivery.id for delivery in items]
        methods = _current_methods(db_session, ids)
        names = _user_names(db_session, {d.assignee_user_id for d in items if d.assignee_user_id})
        for delivery in items:
            sheet.append(_row(delivery, methods.get(delivery.id), names, today))
        count += len(items)
    if count >= EXPORT_LIMIT:
        sheet.append([f"仅导出前 {EXPORT_LIMIT} 条，请缩小筛选范围"])
    book.save(into)
    return count


def spooled_workbook(*, db_session: Session, user: User, filters: DeliveryFilters) -> tuple[IO[bytes], int]:
    """The workbook in a spooled temporary file (memory up to 8 MB, then disk), rewound, and its rows."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by the response
    count = write_workbook(db_session=db_session, user=user, filters=filters, into=spool)
    spool.seek(0)
    return spool, count


def chunks(spool: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while block := spool.read(size):
            yield block
    finally:
        spool.close()
