"""Bounces: a delivery status notification (RFC 3464) that comes back after the mail server took the mail.

The bounce mailbox hands each returned message to `songda mail bounce` (an MTA alias pipe, or a fetch
from the mailbox); the original Message-ID in the returned headers matches it to Songda's message, which
fails with the DSN's status and diagnostic (its attempt then fails and the router plans the next), and an
agent gets a task on the desk with the reason (signal MessageBounced, backend.desk.bounces)."""

from email import message_from_bytes, policy
from email.message import EmailMessage, Message

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core import signals
from backend.core.errors import InvalidRequest
from backend.database import utcnow
from backend.messaging.enums import MessageChannel, SmsStatus
from backend.messaging.models import SmsOutbox
from backend.messaging.sending import announce, lock_message, mark_failed
from backend.messaging.signals import MessageBounced


def _fields(part: Message) -> list[Message]:
    """The per-message and per-recipient field blocks of a message/delivery-status part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else ""
    return [
        message_from_bytes(block.encode(), policy=policy.compat32) for block in text.split("\n\n") if block
    ]


def _original_message_id(report: EmailMessage) -> str | None:
    for part in report.walk():
        if part.get_content_type() == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            raw = payload if isinstance(payload, bytes) else str(payload or "").encode()
            headers = message_from_bytes(raw, policy=policy.compat32)
            return headers.get("Message-ID")
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            original = inner[0] if isinstance(inner, list) else inner
            if isinstance(original, Message):
                return original.get("Message-ID")
    return None


def parse_bounce(raw: bytes) -> tuple[str, str]:
    """(original Message-ID, why) of a failed-delivery DSN; InvalidRequest for anything else."""
    report = message_from_bytes(raw, policy=policy.default)
    assert isinstance(report, EmailMessage)
    status = next((p for p in report.walk() if p.get_content_type() == "message/delivery-status"), None)
    message_id = _original_message_id(report)
    if status is None or not message_id:
        raise InvalidRequest("不是退信（缺少投递状态报告或原邮件的 Message-ID）")
    recipients = [block for block in _fields(status) if block.get("Action")]
    failed = [block for block in recipients if str(block.get("Action")).strip().lower() == "failed"]
    if not failed:
        raise InvalidRequest("退信报告中没有投递失败的收件人")
    block = failed[0]
    why = f"{block.get('Status', '').strip()} {block.get('Diagnostic-Code', '').strip()}".strip()
    return message_id.strip(), why or "退信"


def ingest_bounce(*, db_session: Session, raw: bytes) -> SmsOutbox | None:
    """Fail the e-mail RAW reports as undeliverable; None when it names no message of Songda's."""
    message_id, why = parse_bounce(raw)
    query = select(SmsOutbox).where(
        SmsOutbox.channel == MessageChannel.email, SmsOutbox.gateway_id == message_id
    )
    message = db_session.scalars(query).first()
    if message is None:
        return None
    lock_message(db_session, message)
    if message.status is SmsStatus.failed:
        return message
    message.reports = [*message.reports, {"bounce": why, "received_at": utcnow().isoformat()}]
    mark_failed(message, f"邮件被退回：{why}", utcnow())
    announce(db_session, message)
    if message.delivery_id is not None:
        signals.announce(db_session, MessageBounced(message_id=message.id))
    return message
