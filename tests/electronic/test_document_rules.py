"""Which documents e-delivery may serve (CPL art. 90): judgments, rulings and mediation documents too, with
the party told they may ask for paper; a document the court holds only on paper is refused with the reason
and another method is planned. These run on the embedded default's fake:// SMS gateway, whose delivered
report serves an attempt at a confirmed number."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.errors import RuleViolation
from backend.database import utcnow
from backend.deliveries.channels import channel_for
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.documents.enums import DocumentKind
from backend.electronic.tasks import start_electronic_attempts_task
from backend.messaging.models import SmsOutbox
from backend.parties.enums import ContactKind
from tests.messaging.world import World, electronic_attempt
from tests.polling import poll_until

JUDGMENT_RULING_MEDIATION = (
    ("民事判决书", DocumentKind.judgment),
    ("民事裁定书", DocumentKind.ruling),
    ("民事调解书", DocumentKind.mediation),
)


def _plan(agent: User, **documents: object) -> World:
    with database.get_session() as session:
        return electronic_attempt(
            session,
            agent,
            kind=ContactKind.phone,
            value="13911112222",
            confirmed=True,
            planned_at=utcnow() - timedelta(minutes=1),
            **documents,  # type: ignore[arg-type]
        )


def _attempt(attempt_id: int) -> DeliveryAttempt:
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, attempt_id)
        session.expunge(attempt)
        return attempt


def test_judgments_rulings_and_mediation_documents_are_served_electronically_with_paper_on_request(
    db: object, make_user: Callable[..., User]
) -> None:
    world = _plan(make_user(Role.agent), documents=JUDGMENT_RULING_MEDIATION)
    assert start_electronic_attempts_task() >= 1
    poll_until(
        lambda: _attempt(world.attempt_id).status is AttemptStatus.succeeded,
        timeout=15,
        what=lambda: f"the attempt served by the fake gateway's report ({_attempt(world.attempt_id).status})",
    )
    with database.get_session() as session:
        message = session.scalars(select(SmsOutbox).where(SmsOutbox.attempt_id == world.attempt_id)).one()
        assert message.delivered_at is not None and message.reports[0]["type"] == 1
        assert "如需民事判决书、民事裁定书、民事调解书的纸质文书，可在链接页面中申请" in message.text


def test_a_document_held_only_on_paper_is_refused_and_another_method_is_planned(
    db: object, make_user: Callable[..., User]
) -> None:
    world = _plan(make_user(Role.agent), paper_only=("起诉状副本",))
    with database.get_session() as session:
        delivery = session.get_one(Delivery, world.delivery_id)
        with pytest.raises(RuleViolation, match="以下文书没有电子文件，不能电子送达：起诉状副本"):
            channel_for(DeliveryMethod.electronic).check_documents(delivery)
    assert start_electronic_attempts_task() >= 1
    failed = _attempt(world.attempt_id)
    assert failed.status is AttemptStatus.failed and "起诉状副本" in (failed.notes or "")
    with database.get_session() as session:
        assert not session.scalars(select(SmsOutbox).where(SmsOutbox.attempt_id == world.attempt_id)).all()
        attempts = session.get_one(Delivery, world.delivery_id).attempts
        [planned] = [attempt for attempt in attempts if attempt.status is AttemptStatus.planned]
        assert planned.method is not DeliveryMethod.electronic
        assert planned.start_by is not None and planned.start_by <= utcnow() + timedelta(hours=24)


def test_serving_refuses_paper_only_documents_through_the_api(
    db: object, make_user: Callable[..., User], client: object, login: Callable[..., dict[str, str]]
) -> None:
    world = _plan(make_user(Role.agent), paper_only=("应诉通知书",))
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, world.attempt_id)
        attempt.transition(AttemptStatus.in_progress)
        attempt.started_at = utcnow()
    headers = login(Role.supervisor)
    answer = client.post(  # type: ignore[attr-defined]
        f"/api/attempts/{world.attempt_id}/serve", json={"outcome": "served"}, headers=headers
    )
    assert answer.status_code == 409 and "没有电子文件，不能电子送达：应诉通知书" in answer.json()["detail"]
