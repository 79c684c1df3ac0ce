"""A sender that dies mid-send: its claim is a lease, and the periodic pass takes the message back once the
lease has run out; a message the gateway already took (its reports say so) is not sent again."""

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
from backend.database import utcnow
from backend.messaging import reports, sending
from backend.messaging.enums import SmsStatus
from backend.messaging.gateway import sms_gateway
from backend.messaging.gateway.fake import FakeSmsGateway
from backend.messaging.kannel_boxes import KannelBoxes
from backend.messaging.models import SmsOutbox
from backend.parties.enums import ContactKind
from tests.messaging.world import electronic_attempt, stored_message
from tests.polling import poll_until

SEND_ONE = "import sys; from backend.messaging.sending import send_message; send_message(int(sys.argv[1]))"


def _outbox_row(agent: User, text: str) -> int:
    """A queued SMS written straight to the outbox (no send task queued: the test decides who sends)."""
    with database.get_session() as session:
        world = electronic_attempt(
            session, agent, kind=ContactKind.phone, value="13900000009", confirmed=False, planned_at=utcnow()
        )
        message = SmsOutbox(
            to_number="13900000009", text=text, purpose="test", case_id=world.case_id, dlr_token=text[-8:] * 3
        )
        session.add(message)
        session.flush()
        return message.id


@pytest.fixture()
def silent_gateway() -> Iterator[str]:
    """A port that takes connections and never answers: a send through it hangs until it is killed."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"kannel+http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_sender_killed_mid_send_leaves_a_claim_that_is_sent_once_after_its_lease(
    kannel: KannelBoxes, silent_gateway: str, make_user: Callable[..., User]
) -> None:
    message_id = _outbox_row(make_user(Role.agent), "开庭通知：发送进程中途退出 K1a2b3c4")
    environment = {**os.environ, "SONGDA_SMS_GATEWAY_URL": silent_gateway}
    worker = subprocess.Popen([sys.executable, "-c", SEND_ONE, str(message_id)], env=environment)
    try:
        poll_until(
            lambda: stored_message(message_id).status is SmsStatus.sending, timeout=20, what="the claim"
        )
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    claimed = stored_message(message_id)
    assert claimed.status is SmsStatus.sending and claimed.tries == 1 and claimed.sent_at is None

    assert sending.send_due(now=utcnow()) == 0  # the lease still runs: the sender might be alive
    assert stored_message(message_id).status is SmsStatus.sending
    after_lease = utcnow() + timedelta(seconds=get_settings().messaging_claim_seconds + 1)
    assert sending.send_due(now=after_lease) == 1
    assert sending.send_due(now=after_lease) == 0  # taken once
    poll_until(
        lambda: stored_message(message_id).status is SmsStatus.delivered,
        timeout=15,
        what="the resent message",
    )
    resent = stored_message(message_id)
    assert resent.tries == 2 and resent.error is None and resent.sent_at is not None
    inbox = [sms.text for sms in kannel.fake_smsc_inbox()]
    assert inbox.count("开庭通知：发送进程中途退出 K1a2b3c4") == 1


def test_a_sender_that_dies_after_kannel_took_the_message_does_not_send_it_again(
    kannel: KannelBoxes, make_user: Callable[..., User]
) -> None:
    text = "开庭通知：网关已收到后进程退出 K5d6e7f8"
    message_id = _outbox_row(make_user(Role.agent), text)
    now = utcnow()
    assert sending._claim(message_id, now)
    claimed = stored_message(message_id)  # the dead sender reached the gateway, but did not record it
    report_url = sending.report_url(claimed)
    sms_gateway().send(to=claimed.to_number, text=text, sender="12368", report_url=report_url)
    poll_until(
        lambda: stored_message(message_id).status is SmsStatus.delivered, timeout=15, what="Kannel's reports"
    )
    after_lease = now + timedelta(seconds=get_settings().messaging_claim_seconds + 1)
    assert not sending.recover_claim(message_id, after_lease)
    assert sending.send_due(now=after_lease) == 0
    assert [sms.text for sms in kannel.fake_smsc_inbox()].count(text) == 1
    assert stored_message(message_id).tries == 1


def test_a_stale_claim_with_a_buffered_report_counts_as_submitted(
    db: object, make_user: Callable[..., User]
) -> None:
    message_id = _outbox_row(make_user(Role.agent), "开庭通知：运营商缓存 K9g0h1i2")
    now = utcnow()
    assert sending._claim(message_id, now)
    with database.get_session() as session:
        token = session.get_one(SmsOutbox, message_id).dlr_token
        assert token is not None
        buffered = reports.BUFFERED
        reports.record_report(db_session=session, token=token, report_type=buffered, at=None, fields={})
    gateway = sms_gateway()
    assert isinstance(gateway, FakeSmsGateway)
    sent_before = len(gateway.sent)
    assert sending.send_due(now=now + timedelta(seconds=get_settings().messaging_claim_seconds + 1)) == 0
    message = stored_message(message_id)
    assert message.status is SmsStatus.submitted and "不再重发" in (message.error or "")
    assert len(gateway.sent) == sent_before


def test_the_fake_sms_gateway_reports_delivery(db: object, make_user: Callable[..., User]) -> None:
    message_id = _outbox_row(make_user(Role.agent), "开庭通知：内置网关 K3j4k5l6")
    assert sending.send_message(message_id) is SmsStatus.delivered
    message = stored_message(message_id)
    assert message.delivered_at == message.sent_at and [r["type"] for r in message.reports] == [1]
