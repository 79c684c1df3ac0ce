"""What the embedded Kannel's fake SMSC received, for the admin's page (/admin/sms): the demo's stand-in
for the parties' phones, so a demo user can open the link an SMS carries. Each message is matched to the
outbox row it came from (same number and text) to show its life there."""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.messaging.enums import SmsStatus
from backend.messaging.kannel_boxes import KannelBoxes, ReceivedSms
from backend.messaging.models import SmsOutbox

LINK = re.compile(r"https?://[^\s，。；、）)」】]+")
TAIL_BYTES = 4 * 1024 * 1024  # the log's end: thousands of messages, read in well under a second
STATUS_LABELS = {
    SmsStatus.queued: "排队中",
    SmsStatus.sending: "发送中",
    SmsStatus.submitted: "已提交网关",
    SmsStatus.accepted: "运营商已接收",
    SmsStatus.delivered: "已送达",
    SmsStatus.failed: "失败",
    SmsStatus.sent: "已发送",
}


@dataclass(frozen=True)
class InboxEntry:
    received: ReceivedSms
    links: list[str]
    message: SmsOutbox | None


@dataclass(frozen=True)
class Inbox:
    fake_smsc: bool  # the embedded fake SMSC is configured (not the carrier's SMPP account)
    running: dict[str, int | None]
    entries: list[InboxEntry]
    total: int


def links_in(text: str) -> list[str]:
    return LINK.findall(text)


def _outbox_rows(db_session: Session, received: list[ReceivedSms]) -> dict[tuple[str, str], SmsOutbox]:
    if not received:
        return {}
    numbers, texts = {sms.to for sms in received}, {sms.text for sms in received}
    query = select(SmsOutbox).where(SmsOutbox.to_number.in_(numbers), SmsOutbox.text.in_(texts))
    rows: dict[tuple[str, str], SmsOutbox] = {}
    for row in db_session.scalars(query.order_by(SmsOutbox.id)):
        rows[(row.to_number, row.text)] = row  # the latest of identical texts
    return rows


def fake_smsc_inbox(*, db_session: Session, limit: int) -> Inbox:
    """The LIMIT latest messages the fake SMSC received, newest first, with their links and outbox rows."""
    boxes = KannelBoxes.from_settings(get_settings())
    received = boxes.fake_smsc_inbox(tail_bytes=TAIL_BYTES)
    latest = list(reversed(received[-limit:])) if limit > 0 else []
    rows = _outbox_rows(db_session, latest)
    entries = [InboxEntry(sms, links_in(sms.text), rows.get((sms.to, sms.text))) for sms in latest]
    return Inbox(boxes.smsc_config is None, boxes.status(), entries, len(received))
