"""Group commit of the outbox writes: writes arriving together share one transaction, yet a message is
claimed once however many tasks ask for it at once, one bad item fails only its own caller, and two
reports on one message in one batch are applied in turn."""

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from backend import database
from backend.core.errors import NotVisible
from backend.messaging import reports, sending
from backend.messaging.batching import GroupCommit
from backend.messaging.enums import SmsStatus
from backend.messaging.gateway import sms_gateway
from backend.messaging.gateway.fake import FakeSmsGateway
from backend.messaging.models import SmsOutbox
from tests.messaging.world import stored_message
from tests.polling import poll_until


def _queued(text: str, token: str) -> int:
    with database.get_session() as session:
        message = SmsOutbox(to_number="13900000007", text=text, purpose="test", dlr_token=token)
        session.add(message)
        session.flush()
        return message.id


def test_callers_arriving_while_a_batch_is_written_share_the_next_one_and_a_bad_item_fails_alone() -> None:
    writing, release = threading.Event(), threading.Event()
    batches: list[list[str]] = []

    def write(items: Sequence[str]) -> list[str]:
        if list(items) == ["first"]:
            writing.set()
            release.wait(10)
        batches.append(list(items))
        if "bad" in items:
            raise ValueError("bad item")
        return [item.upper() for item in items]

    commit: GroupCommit[str, str] = GroupCommit(write)
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(commit.submit, "first")
        writing.wait(10)
        later = {item: pool.submit(commit.submit, item) for item in ("good", "bad", "fine")}
        poll_until(lambda: len(commit._queue) == 3, timeout=10, what="the callers queued behind the batch")
        release.set()
        assert first.result(timeout=10) == "FIRST"
        assert later["good"].result(timeout=10) == "GOOD" and later["fine"].result(timeout=10) == "FINE"
        with pytest.raises(ValueError, match="bad item"):
            later["bad"].result(timeout=10)
    assert sorted(batches[1]) == ["bad", "fine", "good"]  # together first, then each alone
    assert sorted(map(tuple, batches[2:])) == [("bad",), ("fine",), ("good",)]


def test_a_message_asked_for_twice_in_one_batch_is_claimed_once(db: object) -> None:
    message_id = _queued("开庭通知：同一批次两次认领 G1", "group-commit-token-g1" * 2)
    requests = [sending._ClaimRequest(message_id, None), sending._ClaimRequest(message_id, None)]
    first, second = sending._write_claims(requests)
    assert first is not None and first.id == message_id and second is None
    assert sending._write_claims([sending._ClaimRequest(message_id, None)]) == [None]
    claimed = stored_message(message_id)
    assert claimed.status is SmsStatus.sending and claimed.tries == 1


def test_duplicated_tasks_at_once_send_a_message_once(db: object) -> None:
    message_id = _queued("开庭通知：重复任务同时执行 G2", "group-commit-token-g2" * 2)
    gateway = sms_gateway()
    assert isinstance(gateway, FakeSmsGateway)
    sent_before = len(gateway.sent)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: sending.send_message(message_id), range(8)))
    assert statuses.count(SmsStatus.delivered) == 1 and statuses.count(None) == 7
    assert len(gateway.sent) == sent_before + 1 and stored_message(message_id).tries == 1


def test_reports_written_together_are_applied_in_turn_and_an_unknown_token_fails_alone(db: object) -> None:
    token = "group-commit-token-g3" * 2
    message_id = _queued("开庭通知：两份报告同批写入 G3", token)
    assert sending.claim(message_id) is not None
    batch = [
        reports.DeliveryReport(token, reports.ACCEPTED, "1780000000", {"smsc_id": "F1", "reply": ""}),
        reports.DeliveryReport("no-such-token", reports.DELIVERED, None, {}),
        reports.DeliveryReport(token, reports.DELIVERED, "1780000001", {"smsc_id": "F1", "reply": "ok"}),
    ]
    accepted, unknown, delivered = reports._write_reports(batch)
    assert accepted is None and delivered is None and isinstance(unknown, NotVisible)
    message = stored_message(message_id)
    assert message.status is SmsStatus.delivered and message.gateway_id == "F1"
    assert [report["type"] for report in message.reports] == [reports.ACCEPTED, reports.DELIVERED]
    assert message.accepted_at is not None and message.delivered_at is not None
    assert message.accepted_at < message.delivered_at
