"""The admin's SMS inbox (GET /api/messaging/sms-inbox, page /admin/sms): what the real fake SMSC received,
newest first, with each text's links and its outbox row; admins only, and every read audited."""

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
from backend.database import utcnow
from backend.deliveries.models import Delivery
from backend.electronic.models import ElectronicNotice
from backend.electronic.tasks import start_electronic_attempts_task
from backend.messaging.enums import SmsStatus
from backend.messaging.kannel_boxes import KannelBoxes
from backend.messaging.models import SmsOutbox
from backend.messaging.service import queue_sms
from backend.parties.enums import ContactKind
from tests.messaging.world import electronic_attempt
from tests.polling import poll_until


def _kannel_in_data_dir(boxes: KannelBoxes) -> None:
    """The API reads Kannel where `songda sms up` puts it (DATA_DIR/kannel): there, the test's Kannel."""
    link = get_settings().data_dir / "kannel"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(boxes.directory, target_is_directory=True)


def test_the_admin_sees_what_the_fake_smsc_received_with_its_link(
    kannel: KannelBoxes,
    make_user: Callable[..., User],
    client: TestClient,
    login: Callable[..., dict[str, str]],
) -> None:
    _kannel_in_data_dir(kannel)
    agent = make_user(Role.agent)
    with database.get_session() as session:
        world = electronic_attempt(
            session, agent, kind=ContactKind.phone, value="13977778888", confirmed=True, planned_at=utcnow()
        )
        other = queue_sms(
            db_session=session,
            actor=None,
            delivery=session.get_one(Delivery, world.delivery_id),
            to_number="13977778888",
            text="领取预约提醒：明天 09:00",
            purpose="pickup_reminder",
        ).id

    def other_delivered() -> bool:
        with database.get_session() as session:
            return session.get_one(SmsOutbox, other).status is SmsStatus.delivered

    poll_until(other_delivered, timeout=15, what="the reminder's delivery report")  # so the notice is newer
    assert start_electronic_attempts_task() >= 1

    def notice_delivered() -> SmsOutbox | None:
        with database.get_session() as session:
            query = select(SmsOutbox).where(SmsOutbox.attempt_id == world.attempt_id)
            message = session.scalars(query).first()
            if message is None or message.status is not SmsStatus.delivered:
                return None
            session.expunge(message)
            return message

    notice = poll_until(notice_delivered, timeout=15, what="the notice's delivery report")
    with database.get_session() as session:
        link_token = session.scalars(
            select(ElectronicNotice.link_token).where(ElectronicNotice.attempt_id == world.attempt_id)
        ).one()

    headers = login(Role.admin)
    answer = client.get("/api/messaging/sms-inbox", headers=headers)
    assert answer.status_code == 200, answer.text
    inbox = answer.json()
    assert inbox["fake_smsc"] is True and all(inbox["running"].values())
    mine = [item for item in inbox["items"] if item["to"] == "13977778888"]
    assert [item["message_id"] for item in mine][:2] == [notice.id, other]  # newest first
    shown = mine[0]
    assert shown["text"] == notice.text and shown["parts"] >= 2 and shown["sender"] == "12368"
    assert shown["links"] == [f"{get_settings().public_base_url.rstrip('/')}/s/{link_token}"]
    assert (shown["status"], shown["status_label"]) == ("delivered", "已送达")
    assert shown["purpose"] == "electronic_notice"
    with database.get_session() as session:
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "read_sms_inbox")).all()
        assert len(audit) == 1 and audit[0].client_ip

    assert client.get("/api/messaging/sms-inbox", headers=login(Role.supervisor)).status_code == 403
    assert client.get("/api/messaging/sms-inbox").status_code == 401


def test_the_inbox_reads_only_the_end_of_a_long_log(tmp_path: Path) -> None:
    boxes = KannelBoxes(tmp_path, 1, 2, 3, 4, "a", "u", "p")
    line = "2026-12-06 10:00:00 [1] [0] DEBUG: Got message {n}: <12368 1390000{n:04d} text hello+{n}>\n"
    boxes.fakesmsc_log.write_text("".join(line.format(n=n) for n in range(2000)), encoding="utf-8")
    whole = boxes.fake_smsc_inbox()
    tail = boxes.fake_smsc_inbox(tail_bytes=10_000)
    assert len(whole) == 2000 and 0 < len(tail) < 200 and tail == whole[-len(tail):]
