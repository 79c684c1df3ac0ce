"""Which deliveries wait for a call, in which order, and how many per agent group.

A delivery waits when it is pending or in progress, its party has a usable phone, no other method is
under way (a planned pickup, a letter on its way...), no callback is scheduled for later, and no agent
holds it. Order: callbacks that are due, then the earliest deadline, the earliest hearing, the case
type's priority. An agent takes from their group's queue and from the shared pool (no group).
"""

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.auth.roles import STAFF_ROLES, Role
from backend.deliveries import upkeep
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import CallQueueTally, Delivery
from backend.desk.enums import CallbackKind
from backend.desk.models import Callback, TaskLock
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint

QUEUED_STATUSES = (DeliveryStatus.pending, DeliveryStatus.in_progress)
SHARED_POOL_LABEL = "公共队列"
FIGURES = ("waiting", "due_today", "overdue", "callbacks_due", "locked")


# NOW as a datetime, or as the bind parameter of a statement built once (`_candidates_statement`).
Moment = datetime | BindParameter[datetime]


def callback_later(now: Moment) -> ColumnElement[bool]:
    return exists().where(
        Callback.delivery_id == Delivery.id, Callback.done_at.is_(None), Callback.due_at > now
    )


def locked(now: Moment) -> ColumnElement[bool]:
    return exists().where(TaskLock.delivery_id == Delivery.id, TaskLock.expires_at > now)


def waiting_conditions(now: Moment) -> list[ColumnElement[bool]]:
    """Deliveries that wait for a call at NOW, whoever may take them: in the call queue (open, a usable
    phone, no other method under way: kept on the delivery by deliveries.upkeep), no callback set for
    later, not locked (few rows, probed per delivery)."""
    return [Delivery.in_call_queue.expression, ~callback_later(now), ~locked(now)]


def open_callback() -> ColumnElement[bool]:
    return exists().where(Callback.delivery_id == Delivery.id, Callback.done_at.is_(None))


def agent_scope(agent: User) -> ColumnElement[bool]:
    """The deliveries AGENT may be offered: their group and the shared pool, unassigned or theirs."""
    return _scope(_scope_kind(agent), agent.agent_group, agent.id)


def _scope_kind(agent: User) -> str:
    """Which of the scope's three shapes AGENT's is: their group and the pool, everything, the pool."""
    if agent.agent_group:
        return "group"
    return "all" if agent.role in STAFF_ROLES else "pool"


def _scope(kind: str, agent_group: Any, agent_id: Any) -> ColumnElement[bool]:
    """The scope of KIND for a group and an agent id, given as values or as bind parameters."""
    if kind == "group":
        group = or_(Delivery.agent_group == agent_group, Delivery.agent_group.is_(None))
    else:
        group = true() if kind == "all" else Delivery.agent_group.is_(None)
    assignee = or_(Delivery.assignee_user_id.is_(None), Delivery.assignee_user_id == agent_id)
    return and_(group, assignee)


def ordering() -> list[Any]:
    """The order after due callbacks, on columns of the delivery only (the case's hearing and priority are
    kept on it): the queue walks the ix_delivery_call_queue index in this order and stops at the page."""
    return [
        Delivery.deadline.asc().nulls_last(),
        Delivery.hearing_at.asc().nulls_last(),
        Delivery.case_priority.asc().nulls_last(),
        Delivery.id.asc(),
    ]


def _callbacks_due(scope: ColumnElement[bool], now: Moment) -> Select[Any]:
    """The waiting deliveries with a due callback, earliest callback first (a few, from desk_callback).
    A returned e-mail's task (backend.desk.bounces) is offered even while the next method is under way:
    an open delivery whose party has a usable phone is enough."""
    bounced = case((Callback.kind == CallbackKind.bounced, 1), else_=0)
    due = (
        select(
            Callback.delivery_id,
            func.min(Callback.due_at).label("due_at"),
            func.max(bounced).label("bounced"),
        )
        .where(Callback.done_at.is_(None), Callback.due_at <= now)
        .group_by(Callback.delivery_id)
        .subquery()
    )
    reachable = and_(Delivery.status.in_(QUEUED_STATUSES), _usable_phone())
    waiting = or_(Delivery.in_call_queue.expression, and_(due.c.bounced == 1, reachable))
    return (
        select(Delivery.id)
        .join(due, due.c.delivery_id == Delivery.id)
        .where(waiting, ~callback_later(now), ~locked(now), scope)
        .order_by(due.c.due_at.asc(), *ordering())
    )


def _usable_phone() -> ColumnElement[bool]:
    return exists().where(
        ContactPoint.party_id == Delivery.party_id,
        ContactPoint.kind == ContactKind.phone,
        ContactPoint.state != ContactState.invalid,
    )


def _queue(scope: ColumnElement[bool], now: Moment) -> Select[Any]:
    """The ids of the deliveries waiting in SCOPE without a callback, best first."""
    return select(Delivery.id).where(*waiting_conditions(now), ~open_callback(), scope).order_by(*ordering())


@cache
def _candidates_statement(kind: str, callbacks: bool, limit: int) -> Select[Any]:
    """The due callbacks' or the queue's query for a scope of KIND, built once: a request binds the time
    and the agent (building the expression each time cost more than running it)."""
    scope = _scope(kind, bindparam("agent_group"), bindparam("agent_id"))
    now = bindparam("now", type_=Callback.due_at.type)
    return (_callbacks_due if callbacks else _queue)(scope, now).limit(limit)


def next_candidates(*, db_session: Session, agent: User, now: datetime, limit: int = 10) -> Sequence[int]:
    """Due callbacks first, then the rest: two queries, so neither sorts every open delivery."""
    kind = _scope_kind(agent)
    values = {"now": now, "agent_group": agent.agent_group, "agent_id": agent.id}
    first = list(db_session.scalars(_candidates_statement(kind, True, limit), values))
    if len(first) >= limit:
        return first
    rest = _candidates_statement(kind, False, limit - len(first))
    return first + list(db_session.scalars(rest, values))


def group_counts(*, db_session: Session, now: datetime, today: date) -> list[dict[str, Any]]:
    """Per agent group: waiting, due today, overdue, callbacks due, and locked (being worked).

    The call queue's size per group and deadline is kept in call_queue_tally as deliveries change
    (deliveries.upkeep): summed here, less the queued deliveries that a live lock or a later callback holds
    back (the few with an open callback or a lock, read through those small tables). Nothing is counted
    over the deliveries themselves, so this costs the same at any size of history."""
    tally = db_session.execute(
        select(
            CallQueueTally.agent_group,
            func.sum(CallQueueTally.deliveries),
            func.sum(case((CallQueueTally.deadline == today, CallQueueTally.deliveries), else_=0)),
            func.sum(case((CallQueueTally.deadline < today, CallQueueTally.deliveries), else_=0)),
        ).group_by(CallQueueTally.agent_group)
    ).all()
    groups = {group: _empty(group) for group in _agent_groups(db_session)}
    for key, waiting, due_today, overdue in tally:
        group = key or None
        groups.setdefault(group, _empty(group)).update(
            waiting=int(waiting or 0), due_today=int(due_today or 0), overdue=int(overdue or 0)
        )
    for group, deadline, held_back, has_callback in _held_or_called_back(db_session, now):
        row = groups.setdefault(group, _empty(group))
        if held_back:
            row["waiting"] -= 1
            row["due_today"] -= int(deadline == today)
            row["overdue"] -= int(deadline is not None and deadline < today)
        elif has_callback:
            row["callbacks_due"] += 1
    _add_locked(db_session, now, groups)
    return _shown(groups)


def _held_or_called_back(db_session: Session, now: datetime) -> Sequence[Any]:
    """The queued deliveries with an open callback or a live lock: group, deadline, whether a lock or a
    later callback holds them back, and whether they have an open (so: due) callback."""
    open_callbacks = select(Callback.delivery_id).where(Callback.done_at.is_(None))
    live_locks = select(TaskLock.delivery_id).where(TaskLock.expires_at > now)
    return db_session.execute(
        select(
            Delivery.agent_group,
            Delivery.deadline,
            or_(callback_later(now), locked(now)),
            open_callback(),
        ).where(Delivery.in_call_queue, or_(Delivery.id.in_(open_callbacks), Delivery.id.in_(live_locks)))
    ).all()


def recount_groups(*, db_session: Session, now: datetime, today: date) -> list[dict[str, Any]]:
    """group_counts counted afresh over the open deliveries from the queue's defining conditions, not
    from anything kept (what the kept figures must equal)."""
    rows = db_session.execute(
        select(
            Delivery.agent_group,
            func.count(),
            func.sum(case((Delivery.deadline == today, 1), else_=0)),
            func.sum(case((Delivery.deadline < today, 1), else_=0)),
            func.sum(case((open_callback(), 1), else_=0)),  # waiting ones: only due callbacks stay open
        )
        .where(upkeep.in_call_queue_condition(), ~callback_later(now), ~locked(now))
        .group_by(Delivery.agent_group)
    ).all()
    groups = {group: _empty(group) for group in _agent_groups(db_session)}
    for group, waiting, due_today, overdue, callbacks in rows:
        groups.setdefault(group, _empty(group)).update(
            waiting=waiting,
            due_today=int(due_today or 0),
            overdue=int(overdue or 0),
            callbacks_due=int(callbacks or 0),
        )
    _add_locked(db_session, now, groups)
    return _shown(groups)


def _add_locked(db_session: Session, now: datetime, groups: dict[str | None, dict[str, Any]]) -> None:
    locked_rows = db_session.execute(
        select(Delivery.agent_group, func.count())
        .join(TaskLock, TaskLock.delivery_id == Delivery.id)
        .where(TaskLock.expires_at > now)
        .group_by(Delivery.agent_group)
    ).all()
    for group, count in locked_rows:
        groups.setdefault(group, _empty(group))["locked"] = count


def _shown(groups: dict[str | None, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every agent group, and any other group (or the shared pool) with something to count."""
    named = {group for group in groups if group is not None}
    return sorted(
        (row for group, row in groups.items() if group in named or any(row[k] for k in FIGURES)),
        key=lambda item: (item["group"] is None, item["group"] or ""),
    )


def _agent_groups(db_session: Session) -> set[str | None]:
    query = select(User.agent_group).where(
        User.role == Role.agent, User.is_active, User.agent_group.is_not(None)
    )
    return set(db_session.scalars(query.distinct()))


def _empty(group: str | None) -> dict[str, Any]:
    return {
        "group": group,
        "label": group or SHARED_POOL_LABEL,
        "waiting": 0,
        "due_today": 0,
        "overdue": 0,
        "callbacks_due": 0,
        "locked": 0,
    }
