"""Delivery reports from Kannel, matched to their message by the token in the report URL.

Kannel calls the dlr-url once per report: type 8 accepted by the SMSC, 1 delivered, 2 not delivered,
16 rejected by the SMSC, 4 buffered. Each report is kept on the message as received; a message only moves
forward (a late 'accepted' never undoes 'delivered'), and a known token is the only way in."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.errors import NotVisible
from backend.database import utcnow
from backend.messaging.enums import SETTLED, SmsStatus
from backend.messaging.models import SmsOutbox
from backend.messaging.sending import announce, lock_message, mark_failed

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
    message = db_session.scalars(select(SmsOutbox).where(SmsOutbox.dlr_token == token)).first()
    if message is None:
        raise NotVisible("短信")
    lock_message(db_session, message)  # two reports at once (accepted, delivered) are applied in turn
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
