"""Desk events leave only with the transaction that caused them: changes are noted on the session,
turned into messages just before its commit, and published on the desk stream right after it."""

import logging
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from backend.auth.models import User
from backend.desk import snapshots
from backend.desk.messages import (
    AgentChanged,
    DeskMessage,
    FiguresChanged,
    QueueChanged,
    TaskChanged,
    desk_stream,
)
from backend.desk.models import AgentPresence

_KEY = "songda_desk_changes"
log = logging.getLogger(__name__)


@dataclass
class _Changes:
    agents: set[int] = field(default_factory=set)
    tasks: set[int] = field(default_factory=set)
    queue: bool = False
    figures: bool = False
    messages: list[DeskMessage] = field(default_factory=list)


def _changes(db_session: Session) -> _Changes:
    changes: _Changes = db_session.info.setdefault(_KEY, _Changes())
    return changes


def agent_changed(db_session: Session, user_id: int) -> None:
    """The agent's presence or held task changed: the wall's agent row and their `me` topic follow."""
    _changes(db_session).agents.add(user_id)


def task_changed(db_session: Session, user_id: int) -> None:
    changes = _changes(db_session)
    changes.tasks.add(user_id)
    changes.agents.add(user_id)
    changes.queue = True


def queue_changed(db_session: Session) -> None:
    _changes(db_session).queue = True


def figures_changed(db_session: Session) -> None:
    _changes(db_session).figures = True


def _messages(db_session: Session, changes: _Changes) -> list[DeskMessage]:
    messages: list[DeskMessage] = []
    locks = {user_id: snapshots.live_lock(db_session, user_id) for user_id in changes.agents | changes.tasks}
    for user_id in sorted(changes.agents):
        user = db_session.get(User, user_id)
        if user is not None:
            presence = db_session.get(AgentPresence, user_id)
            row = snapshots.agent_line(user, presence, locks[user_id])
            messages.append(AgentChanged(user_id=user_id, agent=row))
    for user_id in sorted(changes.tasks):
        task = snapshots.task_summary(db_session, locks[user_id])
        messages.append(TaskChanged(user_id=user_id, task=task))
    if changes.queue:
        messages.append(QueueChanged())
    if changes.figures:
        messages.append(FiguresChanged())
    return messages


@event.listens_for(Session, "before_commit")
def _build_messages(db_session: Session) -> None:
    changes: _Changes | None = db_session.info.get(_KEY)
    if changes is None or db_session.in_nested_transaction():
        return
    db_session.flush()
    changes.messages = _messages(db_session, changes)


@event.listens_for(Session, "after_commit")
def _publish(db_session: Session) -> None:
    changes: _Changes | None = db_session.info.pop(_KEY, None)
    if changes is None or not changes.messages:
        return
    try:
        desk_stream().publish_now(changes.messages)
    except Exception:  # the commit stands; clients catch up from the next snapshot
        log.exception("could not publish %d desk messages", len(changes.messages))


@event.listens_for(Session, "after_soft_rollback")
def _forget(db_session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        db_session.info.pop(_KEY, None)
