"""Task locks: one task per agent, never one task for two agents, given back on release, offline, logout
and expiry (abandoned)."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import database
from backend.audit.models import AuditLog
from backend.auth import service as auth_service
from backend.auth.models import User
from backend.auth.roles import Role
from backend.database import utcnow
from backend.deliveries.enums import AttemptOutcome, AttemptStatus
from backend.deliveries.models import Delivery
from backend.desk import locks, presence
from backend.desk import service as desk_service
from backend.desk.enums import PresenceState
from backend.desk.models import AgentPresence, Callback, TaskLock
from tests.desk.world import (
    add_delivery,
    apply_call,
    call_events,
    finish_call,
    new_extension,
    place_call,
    set_available,
    take_next,
)


def _agent(make_user: Callable[..., User], **fields: object) -> User:
    agent = make_user(Role.agent, sip_extension=new_extension(), **fields)
    set_available(agent.id)
    return agent


def _lock_of(db_session: Session, user_id: int) -> TaskLock | None:
    return db_session.scalar(select(TaskLock).where(TaskLock.user_id == user_id))


def _expire(db_session: Session, user_id: int) -> None:
    lock = _lock_of(db_session, user_id)
    assert lock is not None
    lock.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()


def test_next_locks_the_best_task_and_keeps_offering_it_until_released(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    first, second = add_delivery(), add_delivery()
    agent = _agent(make_user)

    assert take_next(agent.id) == first.delivery_id
    assert take_next(agent.id) == first.delivery_id  # a double click does not lose the task
    lock = _lock_of(db_session, agent.id)
    assert lock is not None and lock.expires_at > utcnow() + timedelta(minutes=9)

    with database.get_session() as session:
        desk_service.release_task(
            db_session=session,
            agent=session.get_one(User, agent.id),
            delivery_id=first.delivery_id,
            reason="跳过",
        )
    assert _lock_of(db_session, agent.id) is None
    assert take_next(agent.id) == first.delivery_id  # released: waiting again, still the best
    assert second.delivery_id != first.delivery_id


def test_only_an_available_agent_gets_a_task(db_session: Session, make_user: Callable[..., User]) -> None:
    add_delivery()
    agent = make_user(Role.agent)
    with pytest.raises(presence.PresenceRefused):
        take_next(agent.id)
    with database.get_session() as session:
        presence.set_own(
            db_session=session,
            agent=session.get_one(User, agent.id),
            state=PresenceState.on_break,
            reason="午休",
        )
    with pytest.raises(presence.PresenceRefused):
        take_next(agent.id)


def test_when_nothing_waits_next_says_so(db_session: Session, make_user: Callable[..., User]) -> None:
    agent = _agent(make_user)
    with pytest.raises(locks.NoTaskWaiting):
        take_next(agent.id)


def test_agents_asking_at_once_never_get_the_same_task(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    tasks = {add_delivery().delivery_id for _ in range(6)}
    agents = [_agent(make_user) for _ in range(8)]
    start = threading.Barrier(len(agents))
    got: dict[int, int | str] = {}

    def ask(agent_id: int) -> None:
        start.wait()
        try:
            got[agent_id] = take_next(agent_id)
        except locks.NoTaskWaiting:
            got[agent_id] = "none"

    threads = [threading.Thread(target=ask, args=(agent.id,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    offered = [value for value in got.values() if value != "none"]
    assert len(got) == 8
    assert sorted(offered) == sorted(tasks)  # every task once, two agents left without
    locks_held = db_session.scalars(select(TaskLock.delivery_id)).all()
    assert sorted(locks_held) == sorted(tasks)


def test_an_expired_lock_is_released_as_abandoned_and_offered_again(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    made = add_delivery()
    first, second = _agent(make_user), _agent(make_user)
    assert take_next(first.id) == made.delivery_id
    _expire(db_session, first.id)

    assert take_next(second.id) == made.delivery_id
    audit = db_session.scalars(select(AuditLog).where(AuditLog.action == "task_released")).one()
    assert audit.detail["reason"] == "abandoned" and audit.detail["agent_user_id"] == first.id


def test_abandoning_after_an_unanswered_call_closes_the_attempt_and_schedules_a_retry(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    made = add_delivery()
    agent = _agent(make_user)
    take_next(agent.id)
    call_id = place_call(agent.id, made.delivery_id, made.phone_ids[0])
    finish_call(call_id, answered=False)
    _expire(db_session, agent.id)

    with database.get_session() as session:
        assert desk_service.sweep(db_session=session)["abandoned"] == 1

    db_session.expire_all()
    attempt = db_session.get_one(Delivery, made.delivery_id).attempts[0]
    assert (attempt.status, attempt.outcome) == (AttemptStatus.failed, AttemptOutcome.no_answer)
    callback = db_session.scalars(select(Callback).where(Callback.delivery_id == made.delivery_id)).one()
    assert timedelta(hours=1) < callback.due_at - utcnow() <= timedelta(hours=2)
    assert _lock_of(db_session, agent.id) is None


def test_going_offline_gives_the_task_back(db_session: Session, make_user: Callable[..., User]) -> None:
    made = add_delivery()
    agent = _agent(make_user)
    take_next(agent.id)
    with database.get_session() as session:
        presence.set_own(
            db_session=session, agent=session.get_one(User, agent.id), state=PresenceState.offline
        )
    assert _lock_of(db_session, agent.id) is None
    other = _agent(make_user)
    assert take_next(other.id) == made.delivery_id


def test_logging_out_sets_offline_and_gives_the_task_back(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    add_delivery()
    agent = _agent(make_user)  # logged in
    take_next(agent.id)
    with database.get_session() as session:
        assert desk_service.sweep(db_session=session)["signed_out"] == 0
        auth_service.revoke_all_tokens(db_session=session, user=session.get_one(User, agent.id))  # logout
    with database.get_session() as session:
        assert desk_service.sweep(db_session=session)["signed_out"] == 1

    row = db_session.get_one(AgentPresence, agent.id)
    assert (row.state, row.reason) == (PresenceState.offline, "已退出登录")
    assert _lock_of(db_session, agent.id) is None


def test_a_lock_running_out_during_a_call_is_renewed_not_released(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    made = add_delivery()
    agent = _agent(make_user)
    take_next(agent.id)
    call_id = place_call(agent.id, made.delivery_id, made.phone_ids[0])
    apply_call(call_events(call_id, answered=True)[:3])  # the agent is on the call
    _expire(db_session, agent.id)

    with database.get_session() as session:
        assert desk_service.sweep(db_session=session)["abandoned"] == 0
    db_session.expire_all()
    lock = _lock_of(db_session, agent.id)
    assert lock is not None and lock.expires_at > utcnow() + timedelta(minutes=9)
