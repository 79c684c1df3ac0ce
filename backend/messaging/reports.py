"""Delivery reports from Kannel, matched to their message by the token in the report URL.

Kannel calls the dlr-url once per report: type 8 accepted by the SMSC, 1 delivered, 2 not delivered,
16 rejected by the SMSC, 4 buffered. Each report is kept on the message as received; a message only moves
forward (a late 'accepted' never undoes 'delivered'), and a known token is the only way in.

The endpoint's reports go through group commit (backend.messaging.batching): the reports a process
receives at the same moment are matched with one locking read of their tokens and written in one
transaction; each is answered once it is committed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.core.errors import NotVisible
from backend.database import get_session, utcnow
from backend.messaging.batching import GroupCommit
from backend.messaging.enums import SETTLED, SmsStatus
from backend.messaging.models import SmsOutbox
from backend.messaging.sending import announce, lock_rows, mark_failed

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


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    token: str
    report_type: int
    at: str | None
    fields: dict[str, Any]


def record_report(
    *, db_session: Session, token: str, report_type: int, at: str | None, fields: dict[str, Any]
) -> SmsOutbox:
    """Apply one delivery report to the message whose token is TOKEN (unknown tokens: NotVisible, 404)."""
    # The row is locked before it is read: two reports at once (accepted, delivered) are applied in turn.
    found = lock_rows(db_session, SmsOutbox.dlr_token == token)
    if not found:
        raise NotVisible("短信")
    return _apply(db_session, found[0], DeliveryReport(token, report_type, at, fields))


def _apply(db_session: Session, message: SmsOutbox, report: DeliveryReport) -> SmsOutbox:
    report_type, moment = report.report_type, report_time(report.at)
    entry = {"type": report_type, "label": REPORT_LABELS.get(report_type, "未知"), "at": moment.isoformat()}
    message.reports = [*message.reports, {**entry, **report.fields, "received_at": utcnow().isoformat()}]
    if message.status in SETTLED:
        return message
    if report_type == DELIVERED:
        message.status, message.delivered_at = SmsStatus.delivered, moment
        message.accepted_at = message.accepted_at or moment
    elif report_type in (NOT_DELIVERED, REJECTED):
        reply = report.fields.get("reply") or ""
        mark_failed(message, f"短信未能送达：{REPORT_LABELS[report_type]}（{reply}）", moment)
    elif report_type == ACCEPTED:
        message.status, message.accepted_at = SmsStatus.accepted, moment
        message.gateway_id = message.gateway_id or report.fields.get("smsc_id") or None
        return message  # nothing for an attempt to record yet
    else:
        return message
    announce(db_session, message)
    return message


def _write_reports(batch: Sequence[DeliveryReport]) -> list[NotVisible | None]:
    """Apply BATCH in order in one transaction (two reports on one message: one after the other)."""
    with get_session() as db_session:
        rows = lock_rows(db_session, SmsOutbox.dlr_token.in_({report.token for report in batch}))
        by_token = {message.dlr_token: message for message in rows}
        outcomes: list[NotVisible | None] = []
        for report in batch:
            message = by_token.get(report.token)
            if message is None:
                outcomes.append(NotVisible("短信"))
                continue
            _apply(db_session, message, report)
            outcomes.append(None)
        return outcomes


_reports = GroupCommit(_write_reports)


def apply_report(*, token: str, report_type: int, at: str | None, fields: dict[str, Any]) -> None:
    """Record one report in a committed transaction, shared with the reports arriving at the same moment
    (the report endpoint's whole unit of work, run on one thread: no connection is held while waiting)."""
    _reports.submit(DeliveryReport(token, report_type, at, fields))
