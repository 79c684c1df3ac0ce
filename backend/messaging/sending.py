"""Sending a queued message once: a task claims it (queued -> sending) in its own committed transaction
before it calls the gateway, so a retried or duplicated task finds nothing to send; a gateway that is
down puts it back in the queue with a growing wait (the periodic pass tries it again), never losing it.

A claim is a lease (SONGDA_MESSAGING_CLAIM_SECONDS, far longer than a gateway's timeout): a process that
died between its claim and recording the gateway's answer leaves the message in "sending", and the
periodic pass takes it back once the lease has run out. If the gateway reported on it meanwhile (its
delivery reports reach the message by token whatever its state) it was handed over and is not sent again;
otherwise it is sent again with the same idempotency key: the same dlr-url token to Kannel and the same
Message-ID to the mail server, which receiving systems that deduplicate by it use (Kannel's sendsms has no
such key: a message whose sender died after Kannel took it, and whose carrier sent no report within the
lease, is the one case that can reach a phone twice).

Claims and recorded answers go through group commit (backend.messaging.batching): the senders of one
process that claim or record at the same moment share one transaction, each returning once it is committed."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.core import signals
from backend.database import get_session, utcnow
from backend.messaging.batching import GroupCommit
from backend.messaging.enums import MessageChannel, SmsStatus
from backend.messaging.gateway import email_gateway, sms_gateway
from backend.messaging.gateway.base import GatewayRefused, GatewayUnavailable, Submission
from backend.messaging.models import SmsOutbox
from backend.messaging.signals import MessageProgressed

FIRST_RETRY_SECONDS = 5.0
DELIVERED_REPORT = 1  # Kannel's report type for "delivered to the phone"
PASS_BATCH = 200


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """What a sender needs of the message it claimed, read back by the claim itself."""

    id: int
    channel: MessageChannel
    to_number: str
    subject: str | None
    text: str
    dlr_token: str | None
    attempt_id: int | None


CLAIMED_COLUMNS = (
    SmsOutbox.id,
    SmsOutbox.channel,
    SmsOutbox.to_number,
    SmsOutbox.subject,
    SmsOutbox.text,
    SmsOutbox.dlr_token,
    SmsOutbox.attempt_id,
)


def report_url(message: SmsOutbox | ClaimedMessage) -> str:
    """Where Kannel reports on MESSAGE: the public endpoint with the message's unguessable token."""
    settings = get_settings()
    base = (settings.sms_report_base_url or settings.public_base_url).rstrip("/")
    return f"{base}/api/messaging/reports/{message.dlr_token}"


def message_id_header(message: SmsOutbox | ClaimedMessage) -> str:
    domain = get_settings().email_sender.rpartition("@")[2] or "songda.invalid"
    return f"<songda-{message.id}-{message.dlr_token}@{domain}>"


def backoff(tries: int) -> timedelta:
    return timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(tries - 1, 0), get_settings().messaging_retry_max_seconds)
    )


def claim_lease() -> timedelta:
    return timedelta(seconds=get_settings().messaging_claim_seconds)


@dataclass(frozen=True, slots=True)
class _ClaimRequest:
    message_id: int
    now: datetime | None  # None: the moment the claim is written


def _write_claims(requests: Sequence[_ClaimRequest]) -> list[ClaimedMessage | None]:
    """Claim every requested message that is queued and due (one UPDATE per distinct NOW), reading back
    what sending needs; a message requested twice in one batch is claimed for its first request only."""
    by_moment: defaultdict[datetime | None, list[int]] = defaultdict(list)
    for request in requests:
        by_moment[request.now].append(request.message_id)
    claimed: dict[int, ClaimedMessage] = {}
    with get_session() as db_session:
        for now, ids in by_moment.items():
            moment = now or utcnow()
            rows = db_session.execute(
                update(SmsOutbox)
                .where(
                    SmsOutbox.id.in_(ids),
                    SmsOutbox.status == SmsStatus.queued,
                    or_(SmsOutbox.next_try_at.is_(None), SmsOutbox.next_try_at <= moment),
                )
                .values(status=SmsStatus.sending, sending_since=moment, tries=SmsOutbox.tries + 1)
                .returning(*CLAIMED_COLUMNS)
                .execution_options(synchronize_session=False)
            )
            claimed.update((row.id, ClaimedMessage(*row)) for row in rows)
    return [claimed.pop(request.message_id, None) for request in requests]


_claims = GroupCommit(_write_claims)


def claim(message_id: int, now: datetime | None = None) -> ClaimedMessage | None:
    """Claim MESSAGE_ID (queued -> sending) in a committed transaction; None: not queued or not due."""
    return _claims.submit(_ClaimRequest(message_id, now))


def _claim(message_id: int, now: datetime) -> bool:
    return claim(message_id, now) is not None


def _hand_over(message: ClaimedMessage) -> tuple[str, Submission]:
    settings = get_settings()
    if message.channel is MessageChannel.email:
        sender = settings.email_sender
        return sender, email_gateway().send(
            to=message.to_number,
            subject=message.subject or "",
            text=message.text,
            sender=sender,
            message_id=message_id_header(message),
        )
    sender = settings.sms_sender
    return sender, sms_gateway().send(
        to=message.to_number, text=message.text, sender=sender, report_url=report_url(message)
    )


def lock_message(db_session: Session, message: SmsOutbox) -> SmsOutbox:
    """Lock MESSAGE's row (a no-op write: a row lock on PostgreSQL, the write lock on SQLite) and reread
    it, so a delivery report arriving while its send is being recorded is never overwritten."""
    db_session.execute(
        update(SmsOutbox).where(SmsOutbox.id == message.id).values(dlr_token=SmsOutbox.dlr_token)
    )
    db_session.refresh(message)
    return message


def lock_rows(db_session: Session, condition: ColumnElement[bool]) -> list[SmsOutbox]:
    """Lock the outbox rows matching CONDITION and read them as they are now: row locks taken in id order
    on PostgreSQL (two batches never deadlock), the write lock on SQLite (a no-op write, before reading)."""
    if db_session.get_bind().dialect.name == "sqlite":
        db_session.execute(
            update(SmsOutbox)
            .where(condition)
            .values(dlr_token=SmsOutbox.dlr_token)
            .execution_options(synchronize_session=False)
        )
    rows = select(SmsOutbox).where(condition).order_by(SmsOutbox.id).with_for_update()
    return list(db_session.scalars(rows))


def send_message(message_id: int, *, now: datetime | None = None) -> SmsStatus | None:
    """Send MESSAGE_ID if it is queued and due; returns its new status (None: not ours to send).
    No transaction is open while the gateway is called; its answer is recorded on the locked row."""
    message = claim(message_id, now)
    if message is None:
        return None
    try:
        sender, submission = _hand_over(message)
    except GatewayUnavailable as down:
        reason = str(down)
        return _record(message_id, lambda row: _back_in_queue(row, reason), tell=False)
    except GatewayRefused as refused:
        reason = str(refused)
        return _record(message_id, lambda row: mark_failed(row, reason, utcnow()), tell=True)
    return _record(message_id, lambda row: _submitted(row, sender, submission), tell=True)


@dataclass(frozen=True, slots=True)
class _Answer:
    message_id: int
    change: Callable[[SmsOutbox], None]
    tell: bool


def _write_answers(answers: Sequence[_Answer]) -> list[SmsStatus]:
    """Apply each gateway answer to its locked row, as the row is now (a report may have come first)."""
    with get_session() as db_session:
        rows = lock_rows(db_session, SmsOutbox.id.in_({answer.message_id for answer in answers}))
        messages = {message.id: message for message in rows}
        statuses = []
        for answer in answers:
            message = messages[answer.message_id]
            answer.change(message)
            if answer.tell:
                announce(db_session, message)
            statuses.append(message.status)
        return statuses


_answers = GroupCommit(_write_answers)


def _record(message_id: int, change: Callable[[SmsOutbox], None], *, tell: bool) -> SmsStatus:
    return _answers.submit(_Answer(message_id, change, tell))


def _back_in_queue(message: SmsOutbox, error: str) -> None:
    message.status, message.error = SmsStatus.queued, error[:300]
    message.next_try_at = utcnow() + backoff(message.tries)


def _submitted(message: SmsOutbox, sender: str, submission: Submission) -> None:
    sent_at = utcnow()
    message.sender, message.sent_at, message.error = sender, sent_at, None
    message.gateway_id = message.gateway_id or submission.gateway_id
    message.gateway_reply = submission.reply
    if message.status is not SmsStatus.sending:
        return  # a delivery report came first and already moved it on
    message.status = SmsStatus.submitted
    if submission.arrived:  # an SMTP server's 250, or the fake SMS gateway's own delivered report
        message.status = SmsStatus.delivered
        message.accepted_at = message.delivered_at = sent_at
        if message.channel is MessageChannel.sms:
            report = {"type": DELIVERED_REPORT, "label": "已送达手机", "at": sent_at.isoformat()}
            message.reports = [*message.reports, {**report, "reply": submission.reply}]


def recover_claim(message_id: int, now: datetime) -> bool:
    """Take back a claim whose lease ran out (its sender died mid-send): True when the message is queued
    again to be sent; False when it was not stale, or the gateway's reports show it already took it."""
    with get_session() as db_session:
        message = db_session.get(SmsOutbox, message_id)
        if message is None:
            return False
        lock_message(db_session, message)
        since = message.sending_since
        if message.status is not SmsStatus.sending or since is None or since > now - claim_lease():
            return False
        if message.reports:  # only a 'buffered' report leaves it in sending: the gateway has it
            message.status, message.sent_at = SmsStatus.submitted, message.sent_at or since
            message.error = "发送进程中断；网关的送达报告表明已收到本消息，不再重发"
            announce(db_session, message)
            return False
        message.status, message.next_try_at = SmsStatus.queued, now
        message.error = "发送进程中断，网关未确认收到，重新发送"
        return True


def mark_failed(message: SmsOutbox, reason: str, at: datetime) -> None:
    message.status, message.error, message.failed_at = SmsStatus.failed, reason[:300], at


def announce(db_session: Session, message: SmsOutbox) -> None:
    if message.attempt_id is not None:
        signals.announce(db_session, MessageProgressed(message_id=message.id))


def send_due(*, now: datetime | None = None) -> int:
    """The periodic pass: take back stale claims, then send every queued message whose time has come;
    returns how many were tried."""
    now = now or utcnow()
    with get_session() as db_session:
        stale = select(SmsOutbox.id).where(
            SmsOutbox.status == SmsStatus.sending, SmsOutbox.sending_since <= now - claim_lease()
        )
        stale_ids = list(db_session.scalars(stale.order_by(SmsOutbox.id).limit(PASS_BATCH)))
    for message_id in stale_ids:
        recover_claim(message_id, now)
    with get_session() as db_session:
        due = select(SmsOutbox.id).where(
            SmsOutbox.status == SmsStatus.queued,
            or_(SmsOutbox.next_try_at.is_(None), SmsOutbox.next_try_at <= now),
        )
        ids = list(db_session.scalars(due.order_by(SmsOutbox.id).limit(PASS_BATCH)))
    for message_id in ids:
        send_message(message_id, now=now)
    return len(ids)
