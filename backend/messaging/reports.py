"""Delivery reports from Kannel, matched to their message by the token in the report URL.

Kannel calls the dlr-url once per report: type 8 accepted by the SMSC, 1 delivered, 2 not delivered,
16 rejected by the SMSC, 4 buffered. Each report is kept on the message as received; a message only moves
forward (a late 'accepted' never undoes 'delivered'), and a known token is the only way in."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.core.errors import NotVisible
from backend.database import utcnow
from backend.messaging.enums import SETTLED, SmsStatus
from backend.messaging.models import SmsOutbox
from backend.messaging.sending import announce, mark_failed, writing

DELIVERED, NOT_DELIVERED, BUFFERED, ACCEPTED, REJECTED = 1, 2, 4, 8, 16
REPORT_LABELS = {
    DELIVERED: "已送达手机",
    NOT_DELIVERED: "未能送达",
    BUFFERED: "运营商缓存待发",
    ACCEPTED: "运营商已接收",
    REJECTED: "运营商拒绝",
}


def report_time(epoch: str | None) -> datetime:
    try:
        return datetime.fromtimestamp(int(epoch or ""), UTC)
    except ValueError:
        return utcnow()


def record_report(
    *, db_session: Session, token: str, report_type: int, at: str | None, fields: dict[str, Any]
) -> SmsOutbox:
    """Apply one delivery report to the message whose token is TOKEN (unknown tokens: NotVisible, 404)."""
    # Lock the row first (a no-op write), then read it: two reports at once (accepted, delivered; one per
    # part of a long text) are applied in turn, and SQLite's write lock is taken before anything is read.
    locked = db_session.execute(
        update(SmsOutbox).where(SmsOutbox.dlr_token == token).values(dlr_token=SmsOutbox.dlr_token)
    )
    if not locked.rowcount:  # type: ignore[attr-defined]
        raise NotVisible("短信")
    message = db_session.scalars(select(SmsOutbox).where(SmsOutbox.dlr_token == token)).one()
    moment = report_time(at)
    report = {"type": report_type, "label": REPORT_LABELS.get(report_type, "未知"), "at": moment.isoformat()}
    message.reports = [*message.reports, {**report, **fields, "received_at": utcnow().isoformat()}]
    if message.status in SETTLED:
        return message
    if report_type == DELIVERED:
        message.status, message.delivered_at = SmsStatus.delivered, moment
        message.accepted_at = message.accepted_at or moment
    elif report_type in (NOT_DELIVERED, REJECTED):
        mark_failed(
            message, f"短信未能送达：{REPORT_LABELS[report_type]}（{fields.get('reply') or ''}）", moment
        )
    elif report_type == ACCEPTED:
        message.status, message.accepted_at = SmsStatus.accepted, moment
        message.gateway_id = message.gateway_id or fields.get("smsc_id") or None
        return message  # nothing for an attempt to record yet
    else:
        return message
    announce(db_session, message)
    return message


def apply_report(*, token: str, report_type: int, at: str | None, fields: dict[str, Any]) -> None:
    """record_report in its own session and transaction (the report endpoint's whole unit of work, run
    on one thread: no connection is held while waiting for another thread)."""
    with writing() as db_session:
        record_report(db_session=db_session, token=token, report_type=report_type, at=at, fields=fields)
