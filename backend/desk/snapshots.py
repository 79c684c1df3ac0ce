"""What the desk shows of an agent, a task and a queue, as JSON-ready dicts (REST and websocket alike)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.models import Case
from backend.core.clock import court_today
from backend.database import utcnow
from backend.deliveries.models import Delivery
from backend.desk import queue
from backend.desk.enums import PRESENCE_LABELS, PresenceState
from backend.desk.models import AgentPresence, TaskLock
from backend.parties.models import Party


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def presence_data(presence: AgentPresence | None) -> dict[str, Any]:
    if presence is None:
        state = PresenceState.offline
        return {"state": state.value, "state_label": PRESENCE_LABELS[state], "reason": None, "since": None,
                "wrap_up_until": None, "call_id": None}  # fmt: skip
    return {
        "state": presence.state.value,
        "state_label": PRESENCE_LABELS[presence.state],
        "reason": presence.reason,
        "since": iso(presence.since),
        "wrap_up_until": iso(presence.wrap_up_until),
        "call_id": presence.call_id,
    }


def live_lock(db_session: Session, user_id: int) -> TaskLock | None:
    return db_session.scalar(live_locks_of([user_id]))


def live_locks_of(user_ids: list[int]) -> Select[TaskLock]:
    return select(TaskLock).where(TaskLock.user_id.in_(user_ids), TaskLock.expires_at > utcnow())


def task_summary(db_session: Session, lock: TaskLock | None) -> dict[str, Any] | None:
    """The locked task in one line: enough for the header of the desk, no personal data beyond a name."""
    if lock is None:
        return None
    row = db_session.execute(
        select(Delivery.case_id, Case.case_number, Party.name)
        .join(Case, Case.id == Delivery.case_id)
        .join(Party, Party.id == Delivery.party_id)
        .where(Delivery.id == lock.delivery_id)
    ).one()
    return {
        "delivery_id": lock.delivery_id,
        "case_id": row[0],
        "case_number": row[1],
        "party_name": row[2],
        "locked_at": iso(lock.locked_at),
        "expires_at": iso(lock.expires_at),
    }


def user_data(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role.value,
        "agent_group": user.agent_group,
        "sip_extension": user.sip_extension,
    }


def agent_line(user: User, presence: AgentPresence | None, lock: TaskLock | None) -> dict[str, Any]:
    """One line of the wall's agent list: who, state and since when, the task held (LOCK: their live one)."""
    return {
        "user_id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "agent_group": user.agent_group,
        "sip_extension": user.sip_extension,
        **presence_data(presence),
        "delivery_id": lock.delivery_id if lock else None,
        "lock_expires_at": iso(lock.expires_at) if lock else None,
    }


def agents_snapshot(db_session: Session) -> list[dict[str, Any]]:
    """Every active agent, and any other user who has been on the desk (three statements for any number)."""
    on_desk = select(AgentPresence.user_id)
    users = list(
        db_session.scalars(
            select(User)
            .where(User.is_active, or_(User.role == Role.agent, User.id.in_(on_desk)))
            .order_by(User.agent_group, User.username)
        )
    )
    ids = [user.id for user in users]
    present = db_session.scalars(select(AgentPresence).where(AgentPresence.user_id.in_(ids)))
    presences = {row.user_id: row for row in present}
    locks = {lock.user_id: lock for lock in db_session.scalars(live_locks_of(ids))}
    return [agent_line(user, presences.get(user.id), locks.get(user.id)) for user in users]


def me_snapshot(db_session: Session, user: User) -> dict[str, Any]:
    return {
        "user": user_data(user),
        "presence": presence_data(db_session.get(AgentPresence, user.id)),
        "task": task_summary(db_session, live_lock(db_session, user.id)),
    }


def queue_snapshot(db_session: Session) -> dict[str, Any]:
    now = utcnow()
    groups = queue.group_counts(db_session=db_session, now=now, today=court_today())
    return {"groups": groups, "generated_at": iso(now)}
