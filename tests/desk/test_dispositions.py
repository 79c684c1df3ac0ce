"""Each disposition's effects in the database: the phone attempt's outcome with the call's facts on file,
and what follows (booking + SMS, consent, address, visit, retry, next method, callback)."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import court_today
from backend.core.errors import InvalidRequest, RuleViolation
from backend.database import utcnow
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.facts import fact_rows
from backend.deliveries.models import AddressConfirmation, Delivery, DeliveryAttempt
from backend.desk import service as desk_service
from backend.desk.dispositions import Disposition
from backend.desk.enums import CallbackKind, DispositionKind, PresenceState
from backend.desk.models import AgentPresence, Callback, TaskLock
from backend.evidence import service as evidence_service
from backend.evidence.enums import EvidenceKind
from backend.messaging.models import SmsOutbox
from backend.parties.enums import ContactEventKind, ContactKind, ContactState
from backend.parties.models import ContactPoint
from backend.pickup import service as pickup_service
from backend.pickup.models import PickupBooking, PickupSlot
from tests.desk.world import (
    Made,
    add_delivery,
    finish_call,
    new_extension,
    place_call,
    set_available,
    take_next,
)

K = DispositionKind


@dataclass
class Called:
    agent_id: int
    made: Made
    call_id: str


@pytest.fixture()
def called(make_user: Callable[..., User]) -> Callable[..., Called]:
    """An agent who took the delivery, called its first phone, and the call ended (answered or not)."""

    def make(*, answered: bool = True, **delivery: Any) -> Called:
        made = add_delivery(**delivery)
        agent = make_user(Role.agent, sip_extension=new_extension())
        set_available(agent.id)
        assert take_next(agent.id) == made.delivery_id
        call_id = place_call(agent.id, made.delivery_id, made.phone_ids[0])
        finish_call(call_id, answered=answered)
        return Called(agent.id, made, call_id)

    return make


def dispose(called: Called, kind: DispositionKind, **fields: Any) -> dict[str, Any]:
    with database.get_session() as session:
        outcome = desk_service.dispose(
            db_session=session,
            agent=session.get_one(User, called.agent_id),
            delivery_id=called.made.delivery_id,
            disposition=Disposition(kind=kind, **fields),
        )
        return outcome.details | {"evidence_id": outcome.evidence_id}


def attempts(db_session: Session, made: Made) -> list[DeliveryAttempt]:
    db_session.expire_all()
    return list(db_session.get_one(Delivery, made.delivery_id).attempts)


def phone_attempt(db_session: Session, made: Made) -> DeliveryAttempt:
    return next(a for a in attempts(db_session, made) if a.method is DeliveryMethod.phone)


def record_of(db_session: Session, evidence_id: int) -> dict[str, Any]:
    item = evidence_service.get_evidence(db_session=db_session, evidence_id=evidence_id)
    assert item is not None
    data: dict[str, Any] = evidence_service.read_json(item)
    return data


def slot(db_session: Session, *, capacity: int = 2) -> PickupSlot:
    window = pickup_service.create_window(db_session=db_session, name="一号窗口", location="诉讼服务中心一楼")
    day = court_today() + timedelta(days=1)
    slots = pickup_service.add_slots(
        db_session=db_session,
        window=window,
        day=day,
        start=time(9),
        end=time(10),
        minutes=30,
        capacity=capacity,
    )
    db_session.commit()
    return slots[0]


def test_pickup_books_the_slot_queues_the_sms_and_plans_the_pickup(
    db_session: Session, called: Callable[..., Called]
) -> None:
    booked_slot = slot(db_session)
    call = called()

    details = dispose(call, K.pickup, slot_id=booked_slot.id)

    phone, planned = attempts(db_session, call.made)
    assert (phone.status, phone.outcome) == (AttemptStatus.failed, AttemptOutcome.pickup_booked)
    assert (planned.method, planned.status, planned.planned_at) == (
        DeliveryMethod.pickup, AttemptStatus.planned, booked_slot.starts_at,
    )  # fmt: skip
    booking = db_session.get_one(PickupBooking, details["booking_id"])
    assert (booking.attempt_id, booking.delivery_id) == (planned.id, call.made.delivery_id)
    db_session.refresh(booked_slot)
    assert booked_slot.booked == 1
    sms = db_session.get_one(SmsOutbox, details["sms_id"])
    assert sms.to_number == "13800138000" and sms.status.value in ("queued", "sending", "delivered")
    assert "一号窗口" in sms.text and "领取" in sms.text and "09:00-09:30" in sms.text
    assert db_session.get_one(Delivery, call.made.delivery_id).case.case_number in sms.text
    called_phone = db_session.get_one(ContactPoint, call.made.phone_ids[0])
    assert called_phone.state is ContactState.verified
    assert called_phone.history[-1].kind is ContactEventKind.verified
    note = record_of(db_session, details["evidence_id"])
    assert note["kind"] == "pickup" and note["calls"][0]["call_id"] == call.call_id
    assert note["calls"][0]["outcome"] == "answered"
    linked = evidence_service.attempt_evidence_items(db_session=db_session, attempt_id=phone.id)
    assert [(item.id, item.kind) for item in linked] == [(details["evidence_id"], EvidenceKind.other)]
    assert db_session.scalar(select(TaskLock).where(TaskLock.user_id == call.agent_id)) is None
    assert db_session.get_one(AgentPresence, call.agent_id).state is PresenceState.available


def test_a_full_slot_refuses_the_booking_and_changes_nothing(
    db_session: Session, called: Callable[..., Called]
) -> None:
    booked_slot = slot(db_session, capacity=1)
    first, second = called(), called()
    dispose(first, K.pickup, slot_id=booked_slot.id)

    with pytest.raises(RuleViolation, match="约满"):
        dispose(second, K.pickup, slot_id=booked_slot.id)

    assert phone_attempt(db_session, second.made).status is AttemptStatus.in_progress
    db_session.refresh(booked_slot)
    assert booked_slot.booked == 1


def test_two_agents_booking_the_last_place_at_once_overbook_nothing(
    db_session: Session, called: Callable[..., Called]
) -> None:
    booked_slot = slot(db_session, capacity=1)
    calls = [called(), called()]
    start = threading.Barrier(2)
    results: list[str] = []

    def book(call: Called) -> None:
        start.wait()
        try:
            dispose(call, K.pickup, slot_id=booked_slot.id)
            results.append("booked")
        except RuleViolation:
            results.append("full")

    threads = [threading.Thread(target=book, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["booked", "full"]
    db_session.refresh(booked_slot)
    assert booked_slot.booked == 1


def test_electronic_records_the_consent_and_plans_the_e_delivery(
    db_session: Session, called: Callable[..., Called]
) -> None:
    call = called()
    with pytest.raises(InvalidRequest):
        dispose(call, K.electronic, mobile="13800138000", consent=False)

    details = dispose(call, K.electronic, mobile="13912345678", email="Liu.Yang@Example.com", consent=True)

    phone, planned = attempts(db_session, call.made)
    assert phone.outcome is AttemptOutcome.electronic_consent
    confirmation = db_session.get_one(AddressConfirmation, details["confirmation_id"])
    assert confirmation.consents_to_electronic and confirmation.obtained_via is DeliveryMethod.phone
    assert (confirmation.mobile, confirmation.email) == ("13912345678", "liu.yang@example.com")
    assert confirmation.recorded_by_user_id == call.agent_id
    proof = record_of(db_session, confirmation.evidence_id or 0)
    assert proof["consents_to_electronic"] is True and proof["calls"][0]["call_id"] == call.call_id
    email = db_session.get_one(ContactPoint, planned.contact_point_id)
    assert (email.kind, email.value, email.state) == (
        ContactKind.email,
        "liu.yang@example.com",
        ContactState.verified,
    )
    assert (planned.method, planned.status) == (DeliveryMethod.electronic, AttemptStatus.planned)
    assert planned.start_by is not None and planned.start_by - phone.ended_at <= timedelta(hours=24)
    facts = fact_rows(db_session=db_session, attempt_id=planned.id)
    assert facts["consent"].evidence_id == confirmation.evidence_id  # the consent rests on the call's record


def test_postal_confirms_the_address_and_plans_the_letter(
    db_session: Session, called: Callable[..., Called]
) -> None:
    call = called()
    details = dispose(call, K.postal, address=" 北京市西城区  金融大街 27 号 ")

    phone, planned = attempts(db_session, call.made)
    assert phone.outcome is AttemptOutcome.address_confirmed
    address = db_session.get_one(ContactPoint, details["contact_point_id"])
    assert (address.kind, address.value, address.state) == (
        ContactKind.address, "北京市西城区 金融大街 27 号", ContactState.verified,
    )  # fmt: skip
    assert [event.kind for event in address.history] == [ContactEventKind.added, ContactEventKind.verified]
    confirmation = db_session.get_one(AddressConfirmation, details["confirmation_id"])
    assert confirmation.postal_address == address.value and not confirmation.consents_to_electronic
    assert (planned.method, planned.contact_point_id) == (DeliveryMethod.postal, address.id)
    confirmed = fact_rows(db_session=db_session, attempt_id=planned.id)["address_confirmed"]
    assert (confirmed.value, confirmed.evidence_id) == ("是", confirmation.evidence_id)


def test_field_plans_a_visit_with_the_notes(db_session: Session, called: Callable[..., Called]) -> None:
    call = called(addresses=("北京市西城区西单北大街 100 号",))
    dispose(call, K.field, notes="当事人行动不便，请上门送达")
    phone, planned = attempts(db_session, call.made)
    assert phone.outcome is AttemptOutcome.field_visit_needed
    assert (planned.method, planned.notes) == (DeliveryMethod.field, "当事人行动不便，请上门送达")
    assert planned.contact_point_id == call.made.address_ids[0]


@pytest.mark.parametrize(
    ("kind", "delay"), [(K.no_answer, timedelta(hours=2)), (K.busy, timedelta(minutes=30))]
)
def test_no_answer_and_busy_schedule_a_retry(
    db_session: Session, called: Callable[..., Called], kind: DispositionKind, delay: timedelta
) -> None:
    call = called(answered=False)
    with pytest.raises(RuleViolation, match="未接通"):
        dispose(call, K.pickup, slot_id=1)

    details = dispose(call, kind)

    phone = phone_attempt(db_session, call.made)
    assert (phone.status, phone.outcome) == (AttemptStatus.failed, AttemptOutcome(kind.value))
    callback = db_session.get_one(Callback, details["follow_up"]["callback_id"])
    assert callback.kind is CallbackKind.retry and callback.done_at is None
    assert abs(callback.due_at - (utcnow() + delay)) < timedelta(minutes=1)
    retry = db_session.get_one(
        DeliveryAttempt, callback.attempt_id
    )  # the router's retry, watched by its start-by
    assert (retry.method, retry.status) == (DeliveryMethod.phone, AttemptStatus.planned)
    assert retry.start_by is not None and phone.ended_at is not None
    assert abs(retry.start_by - (phone.ended_at + timedelta(hours=24))) < timedelta(seconds=5)


def test_refused_switches_to_the_post_with_the_24_hour_rule(
    db_session: Session, called: Callable[..., Called]
) -> None:
    call = called(addresses=("北京市西城区西单北大街 100 号",))
    details = dispose(call, K.refused)
    phone, planned = attempts(db_session, call.made)
    assert phone.outcome is AttemptOutcome.refused
    assert (planned.method, planned.status) == (DeliveryMethod.postal, AttemptStatus.planned)
    assert planned.planned_at is not None and phone.ended_at is not None
    assert abs(planned.planned_at - (phone.ended_at + timedelta(hours=24))) < timedelta(seconds=5)
    assert details["follow_up"]["method"] == "postal"


def test_wrong_number_invalidates_it_and_tries_the_other_number_at_once(
    db_session: Session, called: Callable[..., Called]
) -> None:
    call = called(phones=("13800138000", "13700137000"))
    details = dispose(call, K.wrong_number, contact_point_id=call.made.phone_ids[0])

    wrong = db_session.get_one(ContactPoint, call.made.phone_ids[0])
    assert wrong.state is ContactState.invalid
    assert (
        wrong.history[-1].kind is ContactEventKind.invalidated
        and wrong.history[-1].actor_user_id == call.agent_id
    )
    callback = db_session.get_one(Callback, details["follow_up"]["callback_id"])
    assert callback.due_at <= utcnow()


def test_wrong_last_number_switches_method(db_session: Session, called: Callable[..., Called]) -> None:
    call = called()
    dispose(call, K.wrong_number)  # defaults to the number called
    phone, planned = attempts(db_session, call.made)
    assert planned.method is DeliveryMethod.notice  # no phone and no address left: only a notice remains
    assert planned.start_by is not None and phone.ended_at is not None
    assert planned.start_by - phone.ended_at <= timedelta(hours=24)


def test_callback_schedules_the_call_the_party_asked_for(
    db_session: Session, called: Callable[..., Called]
) -> None:
    call = called()
    when = utcnow() + timedelta(days=1, hours=3)
    with pytest.raises(InvalidRequest):
        dispose(call, K.callback, callback_at=utcnow() - timedelta(minutes=1))

    details = dispose(call, K.callback, callback_at=when)

    phone, planned = attempts(db_session, call.made)
    assert phone.outcome is AttemptOutcome.callback_requested
    assert (planned.method, planned.status, planned.planned_at) == (
        DeliveryMethod.phone,
        AttemptStatus.planned,
        when,
    )
    callback = db_session.get_one(Callback, details["callback_id"])
    assert (callback.kind, callback.due_at, callback.attempt_id) == (CallbackKind.requested, when, planned.id)


def test_a_failure_24_hours_after_the_first_switches_method(
    db_session: Session, called: Callable[..., Called]
) -> None:
    call = called(answered=False, addresses=("北京市西城区西单北大街 100 号",))
    dispose(call, K.no_answer)
    first = phone_attempt(db_session, call.made)
    first.ended_at = utcnow() - timedelta(hours=25)
    for callback in db_session.scalars(select(Callback).where(Callback.delivery_id == call.made.delivery_id)):
        callback.due_at = utcnow() - timedelta(minutes=1)
    db_session.commit()

    set_available(call.agent_id)
    assert take_next(call.agent_id) == call.made.delivery_id  # the retry is due: first in the queue
    again = Called(
        call.agent_id, call.made, place_call(call.agent_id, call.made.delivery_id, call.made.phone_ids[0])
    )
    finish_call(again.call_id, answered=False)
    details = dispose(again, K.no_answer)

    assert details["follow_up"]["method"] == "postal"
    planned = attempts(db_session, call.made)[-1]
    assert planned.method is DeliveryMethod.postal and planned.planned_at is not None
    assert planned.planned_at - utcnow() < timedelta(seconds=5)  # already due: the 24 hours have passed


def test_a_callback_attempt_is_the_one_used_when_calling_back(
    db_session: Session, called: Callable[..., Called]
) -> None:
    call = called()
    details = dispose(call, K.callback, callback_at=utcnow() + timedelta(hours=1))
    callback = db_session.get_one(Callback, details["callback_id"])
    callback.due_at = utcnow() - timedelta(minutes=1)
    db_session.commit()

    assert take_next(call.agent_id) == call.made.delivery_id
    place_call(call.agent_id, call.made.delivery_id, call.made.phone_ids[0])

    planned = db_session.get_one(DeliveryAttempt, details["planned_attempt_id"])
    db_session.refresh(planned)
    assert planned.status is AttemptStatus.in_progress
    assert len(attempts(db_session, call.made)) == 2


def test_a_disposition_needs_a_call_and_the_task(db_session: Session, make_user: Callable[..., User]) -> None:
    made = add_delivery()
    agent = make_user(Role.agent, sip_extension=new_extension())
    set_available(agent.id)
    take_next(agent.id)
    no_call = Called(agent.id, made, "")
    with pytest.raises(RuleViolation, match="请先呼叫"):
        dispose(no_call, K.no_answer)
    other = Called(agent.id, add_delivery(), "")
    with pytest.raises(RuleViolation, match="未锁定"):
        dispose(other, K.no_answer)
