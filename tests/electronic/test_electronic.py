"""The electronic channel end to end on real gateways: a planned attempt's notice goes out by SMS through
Kannel and the fake SMSC or by e-mail to aiosmtpd; arrival at a confirmed address serves it on the arrival
date, with the gateway's words kept as evidence; a refused mailbox fails it and the router plans the next."""

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from backend import cli, database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import BEIJING
from backend.database import utcnow
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.electronic.models import ElectronicNotice
from backend.electronic.tasks import start_electronic_attempts_task
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import in_chain
from backend.evidence.models import Evidence
from backend.evidence.service import read_json
from backend.messaging.kannel_boxes import KannelBoxes
from backend.messaging.models import SmsOutbox
from backend.parties.enums import ContactKind
from tests.messaging.servers import SmtpServer
from tests.messaging.world import World, electronic_attempt
from tests.polling import poll_until


def _plan(agent: User, kind: ContactKind, value: str, *, confirmed: bool = True) -> World:
    with database.get_session() as session:
        return electronic_attempt(
            session,
            agent,
            kind=kind,
            value=value,
            confirmed=confirmed,
            planned_at=utcnow() - timedelta(minutes=1),
        )


def _attempt_status(attempt_id: int) -> AttemptStatus:
    with database.get_session() as session:
        return session.get_one(DeliveryAttempt, attempt_id).status


def _arrival_evidence(session: database.Session, attempt_id: int, fact: str) -> Evidence:
    facts = recorded_facts(db_session=session, attempt_id=attempt_id)
    assert fact in facts
    from backend.deliveries.models import AttemptFact

    row = session.scalars(
        select(AttemptFact).where(AttemptFact.attempt_id == attempt_id, AttemptFact.key == fact)
    ).one()
    evidence = session.get_one(Evidence, row.evidence_id)
    assert evidence.kind is EvidenceKind.delivery_report and in_chain(db_session=session, evidence=evidence)
    return evidence


def test_an_sms_to_a_confirmed_mobile_serves_on_the_delivery_reports_date(
    kannel: KannelBoxes, make_user: Callable[..., User]
) -> None:
    world = _plan(make_user(Role.agent), ContactKind.phone, "13912345678")
    assert start_electronic_attempts_task() >= 1
    poll_until(
        lambda: _attempt_status(world.attempt_id) is AttemptStatus.succeeded,
        timeout=15,
        what=lambda: f"the attempt served (it is {_attempt_status(world.attempt_id)})",
    )
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, world.attempt_id)
        message = session.scalars(select(SmsOutbox).where(SmsOutbox.attempt_id == attempt.id)).one()
        notice = session.scalars(
            select(ElectronicNotice).where(ElectronicNotice.attempt_id == attempt.id)
        ).one()
        case_number = session.get_one(Delivery, world.delivery_id).case.case_number
        assert message.delivered_at is not None
        assert attempt.legal_service_date == message.delivered_at.astimezone(BEIJING).date()
        facts = recorded_facts(db_session=session, attempt_id=attempt.id)
        assert facts["sender"] == "短信 12368" and facts["recipient_address"] == "13912345678"
        assert facts["document_names"] == "应诉通知书、起诉状副本"
        assert "送达地址确认书" in facts["consent"]
        report = read_json(_arrival_evidence(session, attempt.id, "confirmed_address_arrival_at"))
        assert report["delivery_report"][0]["type"] == 1
    [received] = [sms for sms in kannel.fake_smsc_inbox() if notice.link_token in sms.text]
    assert received.text.startswith("【北京市西城区人民法院】") and case_number in received.text
    assert received.parts >= 2 and received.to == "13912345678"


def test_an_email_to_a_confirmed_address_serves_on_the_mail_servers_acceptance(
    smtp: SmtpServer, make_user: Callable[..., User]
) -> None:
    world = _plan(make_user(Role.agent), ContactKind.email, "legal@company.example")
    start_electronic_attempts_task()
    poll_until(
        lambda: _attempt_status(world.attempt_id) is AttemptStatus.succeeded,
        timeout=15,
        what=lambda: f"the attempt served (it is {_attempt_status(world.attempt_id)})",
    )
    [mail] = smtp.handler.received
    assert mail["to"] == ["legal@company.example"]
    with database.get_session() as session:
        message = session.scalars(select(SmsOutbox).where(SmsOutbox.attempt_id == world.attempt_id)).one()
        arrival = read_json(_arrival_evidence(session, world.attempt_id, "confirmed_address_arrival_at"))
        assert arrival["smtp_reply"] == "250 2.0.0 Ok: queued as SONGDA1"
        assert arrival["message_id"] == message.gateway_id
        assert message.gateway_id and message.gateway_id.encode() in mail["content"]


def test_a_refused_mailbox_fails_the_attempt_and_the_next_method_is_planned_within_a_day(
    smtp: SmtpServer, make_user: Callable[..., User]
) -> None:
    world = _plan(make_user(Role.agent), ContactKind.email, "nobody@company.example")
    start_electronic_attempts_task()
    poll_until(
        lambda: _attempt_status(world.attempt_id) is AttemptStatus.failed,
        timeout=15,
        what=lambda: f"the attempt failed (it is {_attempt_status(world.attempt_id)})",
    )
    assert smtp.handler.received == []
    with database.get_session() as session:
        failed = session.get_one(DeliveryAttempt, world.attempt_id)
        assert "User unknown" in (failed.notes or "")
        following = [a for a in failed.delivery.attempts if a.status is AttemptStatus.planned]
        assert len(following) == 1 and following[0].start_by is not None
        assert following[0].start_by <= utcnow() + timedelta(hours=24)


def test_arrival_at_an_unconfirmed_number_is_kept_but_does_not_serve(
    kannel: KannelBoxes, make_user: Callable[..., User]
) -> None:
    world = _plan(make_user(Role.agent), ContactKind.phone, "13912340000", confirmed=False)
    start_electronic_attempts_task()

    def arrival_kept() -> bool:
        with database.get_session() as session:
            return (
                session.scalars(
                    select(Evidence).where(
                        Evidence.case_id == world.case_id,
                        Evidence.metadata_json["name"].as_string() == "arrival",
                    )
                ).first()
                is not None
            )

    poll_until(arrival_kept, timeout=15, what="the delivery report kept as evidence")
    with database.get_session() as session:
        facts = recorded_facts(db_session=session, attempt_id=world.attempt_id)
        assert "confirmed_address_arrival_at" not in facts and facts["recipient_address"] == "13912340000"
        assert session.get_one(DeliveryAttempt, world.attempt_id).status is AttemptStatus.in_progress


def _dsn(message_id: str, recipient: str) -> bytes:
    """A returned mail as Postfix writes it (RFC 3464 multipart/report)."""
    return (
        "From: MAILER-DAEMON@mx.company.example\r\nTo: songda@court.invalid\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n\r\n'
        "--B1\r\nContent-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.company.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n"
        f"--B1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {message_id}\r\n"
        "From: songda@court.invalid\r\nSubject: notice\r\n\r\n--B1--\r\n"
    ).encode()


def test_a_bounce_arriving_later_fails_the_attempt_and_the_next_method_is_planned(
    smtp: SmtpServer, make_user: Callable[..., User]
) -> None:
    world = _plan(make_user(Role.agent), ContactKind.email, "office@company.example", confirmed=False)
    start_electronic_attempts_task()

    def accepted() -> SmsOutbox | None:
        with database.get_session() as session:
            message = session.scalars(
                select(SmsOutbox).where(SmsOutbox.attempt_id == world.attempt_id)
            ).first()
            if message is None or message.gateway_reply is None:
                return None
            session.expunge(message)
            return message

    message = poll_until(accepted, timeout=15, what="the mail server's acceptance")
    assert message.gateway_id is not None
    assert _attempt_status(world.attempt_id) is AttemptStatus.in_progress  # not a confirmed address
    result = CliRunner().invoke(
        cli.app, ["mail", "bounce"], input=_dsn(message.gateway_id, message.to_number)
    )
    assert result.exit_code == 0, result.output
    poll_until(
        lambda: _attempt_status(world.attempt_id) is AttemptStatus.failed,
        timeout=15,
        what=lambda: f"the attempt failed (it is {_attempt_status(world.attempt_id)})",
    )
    with database.get_session() as session:
        failed = session.get_one(DeliveryAttempt, world.attempt_id)
        assert "Mailbox full" in (failed.notes or "")
        assert any(a.status is AttemptStatus.planned for a in failed.delivery.attempts)
