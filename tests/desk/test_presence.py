"""Presence: the states an agent chooses, the ones calls move, wrap-up timing, supervisor force."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
from backend.core import schedule
from backend.core.errors import InvalidRequest
from backend.database import utcnow
from backend.desk import presence
from backend.desk import service as desk_service
from backend.desk.dispositions import Disposition
from backend.desk.enums import DispositionKind, PresenceState
from backend.desk.models import AgentPresence, TaskLock
from backend.desk.tasks import DESK_SWEEP_TASK
from tests.desk.world import (
    add_delivery,
    apply_call,
    call_events,
    calling_a_new_task,
    new_extension,
    set_available,
    take_next,
)
from tests.polling import poll_until

P = PresenceState


def _set(user_id: int, state: PresenceState, reason: str | None = None) -> None:
    with database.get_session() as session:
        presence.set_own(db_session=session, agent=session.get_one(User, user_id), state=state, reason=reason)


def _row(db_session: Session, user_id: int) -> AgentPresence:
    db_session.expire_all()
    return db_session.get_one(AgentPresence, user_id)


def test_agents_choose_available_break_with_a_reason_and_offline(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent)
    _set(agent.id, P.available)
    assert _row(db_session, agent.id).state is P.available
    with pytest.raises(InvalidRequest, match="原因"):
        _set(agent.id, P.on_break)
    _set(agent.id, P.on_break, "午休")
    row = _row(db_session, agent.id)
    assert (row.state, row.reason) == (P.on_break, "午休")
    with pytest.raises(InvalidRequest):
        _set(agent.id, P.on_call)
    _set(agent.id, P.offline)
    assert (_row(db_session, agent.id).state, _row(db_session, agent.id).reason) == (P.offline, None)


def test_a_desk_call_rings_talks_wraps_up_and_the_disposition_ends_it(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent, sip_extension=new_extension())
    made, call_id = calling_a_new_task(agent.id)
    assert (_row(db_session, agent.id).state, _row(db_session, agent.id).call_id) == (P.ringing, call_id)
    with pytest.raises(presence.PresenceRefused):
        _set(agent.id, P.on_break, "喝水")

    events = call_events(call_id, answered=True)
    apply_call(events[:3])  # originated, agent ringing, agent answered
    row = _row(db_session, agent.id)
    assert (row.state, row.since) == (P.on_call, events[2].at)
    apply_call(events[3:])  # party answered, call ended
    row = _row(db_session, agent.id)
    assert (row.state, row.since) == (P.wrap_up, events[-1].at)
    assert row.wrap_up_until == events[-1].at + timedelta(seconds=get_settings().desk_wrap_up_seconds)

    with database.get_session() as session:
        desk_service.dispose(
            db_session=session,
            agent=session.get_one(User, agent.id),
            delivery_id=made.delivery_id,
            disposition=Disposition(kind=DispositionKind.refused),
        )
    row = _row(db_session, agent.id)
    assert (row.state, row.call_id, row.wrap_up_until) == (P.available, None, None)


def test_the_same_call_event_heard_twice_applies_once(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent, sip_extension=new_extension())
    _, call_id = calling_a_new_task(agent.id)
    ended = call_events(call_id, answered=False)[-1]
    results = []
    for _ in range(2):  # as two API processes hearing the same event would
        with database.get_session() as session:
            results.append(presence.call_ended(db_session=session, call_id=call_id, at=ended.at))
    assert results == [True, False]


def test_wrap_up_ends_by_itself_when_its_time_runs_out(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent, sip_extension=new_extension())
    made, call_id = calling_a_new_task(agent.id)
    apply_call(call_events(call_id, answered=False))
    row = _row(db_session, agent.id)
    until = utcnow() - timedelta(seconds=1)
    row.wrap_up_until = until
    db_session.commit()

    with database.get_session() as session:
        assert desk_service.sweep(db_session=session)["wrap_ups_ended"] == 1
    row = _row(db_session, agent.id)
    assert (row.state, row.since) == (P.available, until)
    assert (
        db_session.scalar(select(TaskLock.delivery_id).where(TaskLock.user_id == agent.id))
        == made.delivery_id
    )


def test_a_disposition_saved_during_the_call_skips_the_wrap_up(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent, sip_extension=new_extension())
    made, call_id = calling_a_new_task(agent.id)
    events = call_events(call_id, answered=True)
    apply_call(events[:-1])
    with database.get_session() as session:
        desk_service.dispose(
            db_session=session,
            agent=session.get_one(User, agent.id),
            delivery_id=made.delivery_id,
            disposition=Disposition(kind=DispositionKind.field, notes="上门"),
        )
    assert _row(db_session, agent.id).state is P.on_call
    apply_call(events[-1:])
    assert _row(db_session, agent.id).state is P.available


def test_a_supervisor_forces_break_or_offline(db_session: Session, make_user: Callable[..., User]) -> None:
    add_delivery()
    agent = make_user(Role.agent)
    supervisor = make_user(Role.supervisor)
    set_available(agent.id)
    take_next(agent.id)

    with database.get_session() as session:
        forced = presence.force(
            db_session=session,
            actor=session.get_one(User, supervisor.id),
            user=session.get_one(User, agent.id),
            state=P.offline,
            reason="下班",
        )
        assert forced.state is P.offline
    assert db_session.scalar(select(TaskLock).where(TaskLock.user_id == agent.id)) is None
    audit = db_session.scalars(select(AuditLog).where(AuditLog.action == "presence_forced")).one()
    assert audit.actor_user_id == supervisor.id and audit.detail == {
        "from": "available",
        "to": "offline",
        "reason": "下班",
    }
    with database.get_session() as session, pytest.raises(InvalidRequest):
        presence.force(
            db_session=session,
            actor=session.get_one(User, supervisor.id),
            user=session.get_one(User, agent.id),
            state=P.available,
            reason=None,
        )


def test_the_desk_sweep_is_a_periodic_job_that_ends_wrap_ups(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent, sip_extension=new_extension())
    _, call_id = calling_a_new_task(agent.id)
    apply_call(call_events(call_id, answered=False))
    _row(db_session, agent.id).wrap_up_until = utcnow() - timedelta(seconds=1)
    db_session.commit()
    declared = {job.task_name: job.every_seconds for job in schedule.jobs()}
    assert declared[DESK_SWEEP_TASK] == get_settings().desk_sweep_seconds
    scheduler = schedule.InProcessScheduler([schedule.PeriodicJob(DESK_SWEEP_TASK, every_seconds=0.1)])
    scheduler.start()

    def available() -> bool:
        with database.get_session() as session:
            return session.get_one(AgentPresence, agent.id).state is P.available

    try:
        poll_until(available, timeout=20, what="the scheduler never ran the desk sweep")
    finally:
        scheduler.stop()
