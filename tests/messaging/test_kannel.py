"""SMS through a real Kannel and its fake SMSC: UCS-2 Chinese, concatenation, delivery reports matched
to their message through smsbox, and a Kannel that stops mid-batch."""

from collections.abc import Callable
from datetime import timedelta

import httpx

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.database import utcnow
from backend.messaging import sending
from backend.messaging.enums import SmsStatus
from backend.messaging.kannel_boxes import KannelBoxes
from backend.messaging.models import SmsOutbox
from backend.messaging.service import queue_sms
from backend.parties.enums import ContactKind
from tests.messaging.world import electronic_attempt
from tests.polling import poll_until

LONG_TEXT = (
    "【北京市西城区人民法院】北京某某科技有限公司您好：您有(2026)京0102民初3001号案件的文书"
    "（应诉通知书、起诉状副本、举证通知书、证据材料）送达，请点击链接查收：https://12368.example/s/abc 。"
    "本短信由法院送达平台12368发出，请勿转发他人。"
)


def _queue(agent: User, texts: list[str]) -> list[int]:
    with database.get_session() as session:
        world = electronic_attempt(
            session, agent, kind=ContactKind.phone, value="13900000001", confirmed=False, planned_at=utcnow()
        )
        delivery = session.get_one(database_delivery(), world.delivery_id)
        ids = [
            queue_sms(
                db_session=session,
                actor=None,
                delivery=delivery,
                to_number="13900000001",
                text=text,
                purpose="test",
            ).id
            for text in texts
        ]
    return ids


def database_delivery() -> type:
    from backend.deliveries.models import Delivery

    return Delivery


def _status(message_id: int) -> SmsOutbox:
    with database.get_session() as session:
        message = session.get_one(SmsOutbox, message_id)
        session.expunge(message)
        return message


def test_a_long_chinese_sms_arrives_whole_and_its_delivery_report_is_matched(
    kannel: KannelBoxes, make_user: Callable[..., User]
) -> None:
    assert len(LONG_TEXT) > 70  # more than one UCS-2 part
    [message_id] = _queue(make_user(Role.agent), [LONG_TEXT])
    delivered = poll_until(
        lambda: (m := _status(message_id)).status is SmsStatus.delivered and m,
        timeout=15,
        what=lambda: f"the delivery report (message is {_status(message_id).status})",
    )
    received = [sms for sms in kannel.fake_smsc_inbox() if sms.text == LONG_TEXT]
    assert len(received) == 1 and received[0].parts >= 2 and received[0].to == "13900000001"
    assert received[0].sender == "12368"
    assert {report["type"] for report in delivered.reports} >= {1}
    assert delivered.sent_at and delivered.delivered_at and delivered.accepted_at
    assert delivered.sent_at - timedelta(seconds=2) <= delivered.delivered_at


def test_an_unknown_report_token_is_refused(kannel: KannelBoxes, db: object) -> None:
    base = sending.get_settings().sms_report_base_url
    answer = httpx.get(f"{base}/api/messaging/reports/not-a-token", params={"type": 1})
    assert answer.status_code == 404


def test_kannel_stopped_mid_batch_keeps_messages_queued_and_sends_each_once_when_back(
    kannel: KannelBoxes, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent)
    before = _queue(agent, ["第一批短信：立案通知 A"])
    poll_until(lambda: _status(before[0]).status is SmsStatus.delivered, timeout=15, what="the first batch")
    kannel.down()
    try:
        texts = [f"第二批短信：开庭通知 {index}" for index in range(3)]
        waiting = _queue(agent, texts)
        poll_until(
            lambda: all(_status(i).tries >= 1 and _status(i).status is SmsStatus.queued for i in waiting),
            timeout=10,
            what="the tries while Kannel is down",
        )
        for message_id in waiting:
            message = _status(message_id)
            assert message.next_try_at is not None and message.next_try_at > utcnow() - timedelta(seconds=1)
            assert "Kannel" in (message.error or "")
    finally:
        kannel.up()
    later = utcnow() + timedelta(hours=1)
    assert sending.send_due(now=later) >= len(waiting)
    for message_id in waiting:  # a duplicated or retried task finds nothing left to send
        assert sending.send_message(message_id, now=later) is None
    poll_until(
        lambda: all(_status(i).status is SmsStatus.delivered for i in waiting),
        timeout=15,
        what="the second batch's delivery reports",
    )
    inbox = [sms.text for sms in kannel.fake_smsc_inbox()]
    assert all(inbox.count(text) == 1 for text in texts)
    assert inbox.count("第一批短信：立案通知 A") == 1
