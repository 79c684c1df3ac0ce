"""Which deliveries wait for a call, in which order, and for which agent group."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.enums import CaseType
from backend.core.clock import court_today
from backend.database import utcnow
from backend.deliveries.enums import AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.desk import queue
from backend.desk.enums import CallbackKind
from backend.desk.models import Callback, TaskLock
from tests.desk.world import add_delivery

DAY = timedelta(days=1)


def _queue_for(db_session: Session, agent: User) -> list[int]:
    return list(queue.next_candidates(db_session=db_session, agent=agent, now=utcnow(), limit=100))


def _callback(db_session: Session, delivery_id: int, due_at: datetime) -> None:
    db_session.add(Callback(delivery_id=delivery_id, kind=CallbackKind.retry, due_at=due_at))
    db_session.commit()


def test_due_callbacks_then_deadline_then_hearing_then_case_type(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    today, now = court_today(), datetime.now(UTC)
    late = add_delivery(deadline=today + 20 * DAY)
    callback_due = add_delivery(deadline=today + 20 * DAY)
    hearing_soon = add_delivery(deadline=today + 3 * DAY, hearing_at=now + 2 * DAY)
    hearing_later = add_delivery(deadline=today + 3 * DAY, hearing_at=now + 5 * DAY)
    no_hearing = add_delivery(deadline=today + 3 * DAY)
    civil = add_delivery(deadline=today + 5 * DAY, case_type=CaseType.civil)
    mediation = add_delivery(deadline=today + 5 * DAY, case_type=CaseType.mediation)
    enforcement = add_delivery(deadline=today + 5 * DAY, case_type=CaseType.enforcement)
    callback_later = add_delivery(deadline=today + DAY)
    _callback(db_session, callback_due.delivery_id, now - timedelta(hours=1))
    _callback(db_session, callback_later.delivery_id, now + timedelta(hours=2))
    agent = make_user(Role.agent)

    assert _queue_for(db_session, agent) == [
        made.delivery_id
        for made in (
            callback_due,
            hearing_soon,
            hearing_later,
            no_hearing,
            mediation,
            civil,
            enforcement,
            late,
        )
    ]


def test_only_open_deliveries_with_a_usable_phone_nobody_holds(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    waiting = add_delivery()
    no_phone = add_delivery(phones=())
    invalid_phone = add_delivery(phones=(), invalid_phones=("13900000000",))
    served = add_delivery()
    unservable = add_delivery()
    letter_on_its_way = add_delivery(addresses=("北京市西城区金融街1号",))
    held = add_delivery()
    other = make_user(Role.agent)
    agent = make_user(Role.agent)
    mine = add_delivery(assignee_user_id=agent.id)
    add_delivery(assignee_user_id=other.id)  # someone else's
    for made, status in ((served, DeliveryStatus.served), (unservable, DeliveryStatus.unservable)):
        db_session.get_one(Delivery, made.delivery_id).status = status
    db_session.add(
        DeliveryAttempt(
            delivery_id=letter_on_its_way.delivery_id,
            method=DeliveryMethod.postal,
            status=AttemptStatus.planned,
        )
    )
    db_session.add(TaskLock(delivery_id=held.delivery_id, user_id=other.id, expires_at=utcnow() + DAY))
    db_session.commit()

    assert sorted(_queue_for(db_session, agent)) == sorted([waiting.delivery_id, mine.delivery_id])
    assert no_phone.delivery_id not in _queue_for(db_session, other)
    assert invalid_phone.delivery_id not in _queue_for(db_session, other)


def test_an_expired_lock_does_not_hide_the_task(db_session: Session, make_user: Callable[..., User]) -> None:
    made = add_delivery()
    other, agent = make_user(Role.agent), make_user(Role.agent)
    db_session.add(
        TaskLock(delivery_id=made.delivery_id, user_id=other.id, expires_at=utcnow() - timedelta(seconds=1))
    )
    db_session.commit()
    assert _queue_for(db_session, agent) == [made.delivery_id]


def test_each_group_has_its_own_queue_plus_the_shared_pool(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    commercial = add_delivery(case_type=CaseType.commercial, group="商事组")
    civil = add_delivery(group="民事组")
    shared = add_delivery()
    commercial_agent = make_user(Role.agent, agent_group="商事组")
    civil_agent = make_user(Role.agent, agent_group="民事组")
    ungrouped_agent = make_user(Role.agent)
    supervisor = make_user(Role.supervisor)

    assert sorted(_queue_for(db_session, commercial_agent)) == sorted(
        [commercial.delivery_id, shared.delivery_id]
    )
    assert sorted(_queue_for(db_session, civil_agent)) == sorted([civil.delivery_id, shared.delivery_id])
    assert _queue_for(db_session, ungrouped_agent) == [shared.delivery_id]
    assert len(_queue_for(db_session, supervisor)) == 3


def test_group_counts_waiting_due_today_overdue_callbacks_and_locked(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    today = court_today()
    add_delivery(group="商事组", deadline=today)
    add_delivery(group="商事组", deadline=today - 2 * DAY)
    locked = add_delivery(group="商事组")
    with_callback = add_delivery(group="商事组")
    add_delivery(deadline=today)
    agent = make_user(Role.agent, agent_group="商事组")
    make_user(Role.agent, agent_group="民事组")
    db_session.add(TaskLock(delivery_id=locked.delivery_id, user_id=agent.id, expires_at=utcnow() + DAY))
    _callback(db_session, with_callback.delivery_id, utcnow() - timedelta(minutes=5))

    counts = {
        row["group"]: row for row in queue.group_counts(db_session=db_session, now=utcnow(), today=today)
    }

    expected = {"waiting": 3, "due_today": 1, "overdue": 1, "callbacks_due": 1, "locked": 1}
    assert {key: counts["商事组"][key] for key in expected} == expected
    assert counts[None]["waiting"] == 1 and counts[None]["label"] == "公共队列"
    assert counts["民事组"]["waiting"] == 0
