"""Which deliveries wait for a call, in which order, and how many per agent group.

A delivery waits when it is pending or in progress, its party has a usable phone, no other method is
under way (a planned pickup, a letter on its way...), no callback is scheduled for later, and no agent
holds it. Order: callbacks that are due, then the earliest deadline, the earliest hearing, the case
type's priority. An agent takes from their group's queue and from the shared pool (no group).
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.auth.roles import STAFF_ROLES, Role
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.deliveries.enums import AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.desk.models import Callback, TaskLock
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint

QUEUED_STATUSES = (DeliveryStatus.pending, DeliveryStatus.in_progress)
OPEN_ATTEMPT_STATUSES = (AttemptStatus.planned, AttemptStatus.in_progress)
# Fast-track mediation first (short statutory periods), then commercial, civil, administrative, enforcement.
CASE_TYPE_PRIORITY = {
    CaseType.mediation: 0,
    CaseType.commercial: 1,
    CaseType.civil: 2,
    CaseType.administrative: 3,
    CaseType.enforcement: 4,
}
SHARED_POOL_LABEL = "公共队列"


def usable_phone_exists() -> ColumnElement[bool]:
    return exists().where(
        ContactPoint.party_id == Delivery.party_id,
        ContactPoint.kind == ContactKind.phone,
        ContactPoint.state != ContactState.invalid,
    )


def other_method_under_way() -> ColumnElement[bool]:
    return exists().where(
        DeliveryAttempt.delivery_id == Delivery.id,
        DeliveryAttempt.method != DeliveryMethod.phone,
        DeliveryAttempt.status.in_(OPEN_ATTEMPT_STATUSES),
    )


def callback_later(now: datetime) -> ColumnElement[bool]:
    return exists().where(
        Callback.delivery_id == Delivery.id, Callback.done_at.is_(None), Callback.due_at > now
    )


def locked(now: datetime) -> ColumnElement[bool]:
    return exists().where(TaskLock.delivery_id == Delivery.id, TaskLock.expires_at > now)


def waiting_conditions(now: datetime) -> list[ColumnElement[bool]]:
    """Deliveries that wait for a call at NOW, whoever may take them."""
    return [
        Delivery.status.in_(QUEUED_STATUSES),
        usable_phone_exists(),
        ~other_method_under_way(),
        ~callback_later(now),
        ~locked(now),
    ]


def open_callback() -> ColumnElement[bool]:
    return exists().where(Callback.delivery_id == Delivery.id, Callback.done_at.is_(None))


def agent_scope(agent: User) -> ColumnElement[bool]:
    """The deliveries AGENT may be offered: their group and the shared pool, unassigned or theirs."""
    if agent.agent_group:
        group = or_(Delivery.agent_group == agent.agent_group, Delivery.agent_group.is_(None))
    elif agent.role in STAFF_ROLES:
        group = true()
    else:
        group = Delivery.agent_group.is_(None)
    assignee = or_(Delivery.assignee_user_id.is_(None), Delivery.assignee_user_id == agent.id)
    return and_(group, assignee)


def ordering() -> list[Any]:
    """The order after due callbacks, on columns of the delivery and its case: walked in deadline order
    through the open deliveries' (deadline, id) index, ties sorted within a deadline only."""
    return [
        Delivery.deadline.asc().nulls_last(),
        Case.hearing_at.asc().nulls_last(),
        case(CASE_TYPE_PRIORITY, value=Case.case_type, else_=len(CASE_TYPE_PRIORITY)),
        Delivery.id.asc(),
    ]


def callbacks_due_query(*, agent: User, now: datetime) -> Select[Any]:
    """The waiting deliveries with a due callback, earliest callback first (a few, from desk_callback)."""
    due = (
        select(Callback.delivery_id, func.min(Callback.due_at).label("due_at"))
        .where(Callback.done_at.is_(None), Callback.due_at <= now)
        .group_by(Callback.delivery_id)
        .subquery()
    )
    return (
        select(Delivery.id)
        .join(due, due.c.delivery_id == Delivery.id)
        .join(Case, Case.id == Delivery.case_id)
        .where(*waiting_conditions(now), agent_scope(agent))
        .order_by(due.c.due_at.asc(), *ordering())
    )


def queue_query(*, agent: User, now: datetime) -> Select[Any]:
    """The ids of the deliveries waiting for AGENT without a callback, best first."""
    return (
        select(Delivery.id)
        .join(Case, Case.id == Delivery.case_id)
        .where(*waiting_conditions(now), ~open_callback(), agent_scope(agent))
        .order_by(*ordering())
    )


def next_candidates(*, db_session: Session, agent: User, now: datetime, limit: int = 10) -> Sequence[int]:
    """Due callbacks first, then the rest: two queries, so neither sorts every open delivery."""
    first = list(db_session.scalars(callbacks_due_query(agent=agent, now=now).limit(limit)))
    if len(first) >= limit:
        return first
    return first + list(db_session.scalars(queue_query(agent=agent, now=now).limit(limit - len(first))))


def group_counts(*, db_session: Session, now: datetime, today: date) -> list[dict[str, Any]]:
    """Per agent group: waiting, due today, overdue, callbacks due, and locked (being worked)."""
    rows = db_session.execute(
        select(
            Delivery.agent_group,
            func.count(),
            func.sum(case((Delivery.deadline == today, 1), else_=0)),
            func.sum(case((Delivery.deadline < today, 1), else_=0)),
            func.sum(case((open_callback(), 1), else_=0)),  # waiting ones: only due callbacks stay open
        )
        .where(*waiting_conditions(now))
        .group_by(Delivery.agent_group)
    ).all()
    locked_rows = db_session.execute(
        select(Delivery.agent_group, func.count())
        .join(TaskLock, TaskLock.delivery_id == Delivery.id)
        .where(TaskLock.expires_at > now)
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
    for group, count in locked_rows:
        groups.setdefault(group, _empty(group))["locked"] = count
    return sorted(groups.values(), key=lambda item: (item["group"] is None, item["group"] or ""))


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
