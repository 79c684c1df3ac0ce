"""A returned e-mail (a DSN read by `songda mail bounce`) fails the electronic attempt and becomes a task
for an agent on the desk, with the reason; an address the DSN says does not exist is marked invalid."""

from collections.abc import Callable

from sqlalchemy import select
from typer.testing import CliRunner

from backend import cli, database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.database import utcnow
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.desk import cards, queue
from backend.desk.enums import CallbackKind
from backend.desk.models import Callback
from backend.messaging.models import SmsOutbox
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint
from tests.messaging.servers import SmtpServer
from tests.messaging.world import World, electronic_attempt
from tests.polling import poll_until


def _dsn(message_id: str, recipient: str, status: str, diagnostic: str) -> bytes:
    """A returned mail as Postfix writes it (RFC 3464 multipart/report)."""
    return (
        "From: MAILER-DAEMON@mx.company.example\r\nTo: songda@court.invalid\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n\r\n'
        "--B1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.company.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n\r\n"
        f"--B1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {message_id}\r\n"
        "From: songda@court.invalid\r\nSubject: notice\r\n\r\n--B1--\r\n"
    ).encode()


def _sent_mail(agent: User, address: str) -> tuple[World, SmsOutbox]:
    from backend.electronic.tasks import start_electronic_attempts_task

    with database.get_session() as session:
        world = electronic_attempt(
            session, agent, kind=ContactKind.email, value=address, confirmed=False, planned_at=utcnow()
        )
    start_electronic_attempts_task()

    def accepted() -> SmsOutbox | None:
        with database.get_session() as session:
            query = select(SmsOutbox).where(SmsOutbox.attempt_id == world.attempt_id)
            message = session.scalars(query).first()
            if message is None or message.gateway_id is None:
                return None
            session.expunge(message)
            return message

    return world, poll_until(accepted, timeout=15, what="the mail server's acceptance")


def _bounce(message: SmsOutbox, status: str, diagnostic: str) -> None:
    raw = _dsn(message.gateway_id or "", message.to_number, status, diagnostic)
    result = CliRunner().invoke(cli.app, ["mail", "bounce"], input=raw)
    assert result.exit_code == 0 and "退信已登记" in result.output, result.output


def _bounce_tasks(delivery_id: int) -> list[Callback]:
    with database.get_session() as session:
        bounced = Callback.kind == CallbackKind.bounced
        query = select(Callback).where(Callback.delivery_id == delivery_id, bounced)
        tasks = list(session.scalars(query))
        session.expunge_all()
        return tasks


def _failed(attempt_id: int) -> bool:
    with database.get_session() as session:
        return session.get_one(DeliveryAttempt, attempt_id).status is AttemptStatus.failed


def test_a_bounce_for_a_mailbox_that_does_not_exist_fails_the_attempt_and_gives_an_agent_a_task(
    smtp: SmtpServer, make_user: Callable[..., User]
) -> None:
    world, message = _sent_mail(make_user(Role.agent), "legal@company.example")
    _bounce(message, "5.1.1", "550 5.1.1 <legal@company.example>: Recipient address rejected: User unknown")
    [task] = poll_until(lambda: _bounce_tasks(world.delivery_id) or None, timeout=15, what="the agent's task")
    poll_until(lambda: _failed(world.attempt_id), timeout=15, what="the attempt failed")
    assert task.done_at is None and task.due_at <= utcnow()
    assert task.note is not None and "legal@company.example" in task.note and "User unknown" in task.note
    assert "请核实邮箱或电话联系当事人" in task.note
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, world.attempt_id)
        assert attempt.status is AttemptStatus.failed and task.attempt_id == attempt.id
        point = session.get_one(ContactPoint, task.contact_point_id)
        assert point.state is ContactState.invalid and point.history[-1].source == "email_bounce"
    _bounce(message, "5.1.1", "550 5.1.1 User unknown")  # the same DSN again: still one task
    assert len(_bounce_tasks(world.delivery_id)) == 1


def test_a_full_mailbox_gives_a_task_but_keeps_the_address(
    smtp: SmtpServer, make_user: Callable[..., User]
) -> None:
    world, message = _sent_mail(make_user(Role.agent), "office@company.example")
    _bounce(message, "5.2.2", "552 5.2.2 Mailbox full")
    [task] = poll_until(lambda: _bounce_tasks(world.delivery_id) or None, timeout=15, what="the agent's task")
    assert task.note is not None and "Mailbox full" in task.note
    with database.get_session() as session:
        assert session.get_one(ContactPoint, task.contact_point_id).state is not ContactState.invalid


def test_the_bounce_task_comes_first_on_the_desk_while_the_post_is_under_way(
    smtp: SmtpServer, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent)
    world, message = _sent_mail(agent, "finance@company.example")
    with database.get_session() as session:
        delivery = session.get_one(Delivery, world.delivery_id)
        party_id = delivery.party_id
        session.add_all(
            [
                ContactPoint(party_id=party_id, kind=ContactKind.phone, value="13912121212", source="court"),
                ContactPoint(
                    party_id=party_id, kind=ContactKind.address, value="北京市西城区金融街1号", source="court"
                ),
            ]
        )
    _bounce(message, "5.1.1", "550 5.1.1 User unknown")
    poll_until(lambda: _bounce_tasks(world.delivery_id) or None, timeout=15, what="the agent's task")
    poll_until(lambda: _failed(world.attempt_id), timeout=15, what="the attempt failed and the post planned")
    with database.get_session() as session:
        delivery = session.get_one(Delivery, world.delivery_id)
        planned = [a.method for a in delivery.attempts if a.status is AttemptStatus.planned]
        assert planned == [DeliveryMethod.postal] and not delivery.in_call_queue  # the post is under way
        desk_agent = session.get_one(User, agent.id)
        assert queue.next_candidates(db_session=session, agent=desk_agent, now=utcnow())[0] == delivery.id
        card = cards.task_card(db_session=session, delivery=delivery, agent=desk_agent, lock=None)
        [task] = card["callbacks"]
        assert task["kind_label"] == "邮件退回待处理" and "finance@company.example" in task["note"]
        assert "User unknown" in task["note"]
