"""Task locks: `take_next` offers one waiting delivery to one agent. The lock row is unique per delivery
and per agent, so two agents asking at once never get the same task (the loser's insert fails and it
tries the next candidate). Locks end on release, when the agent goes offline, or when they expire."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.models import User
from backend.config import get_settings
from backend.core.errors import RuleViolation
from backend.database import utcnow
from backend.deliveries.models import Delivery
from backend.desk import followup, notify, phone, queue
from backend.desk.enums import PresenceState
from backend.desk.models import AgentPresence, TaskLock

CANDIDATES_PER_ROUND = 10
ROUNDS = 3


class NoTaskWaiting(RuleViolation):
    """No delivery waits for this agent."""

    code = "queue_empty"


class NotLocked(RuleViolation):
    """The task is not (or no longer) locked to this agent."""

    code = "not_locked"


def lock_ttl() -> timedelta:
    return timedelta(minutes=get_settings().desk_lock_minutes)


def held_lock(*, db_session: Session, user_id: int, now: datetime) -> TaskLock | None:
    query = select(TaskLock).where(TaskLock.user_id == user_id, TaskLock.expires_at > now)
    return db_session.scalar(query)


def renew(lock: TaskLock, now: datetime) -> None:
    lock.expires_at = max(lock.expires_at, now + lock_ttl())


def require_lock(*, db_session: Session, user: User, delivery_id: int, now: datetime) -> TaskLock:
    """The caller's live lock on DELIVERY_ID, renewed; NotLocked (409) otherwise."""
    lock = held_lock(db_session=db_session, user_id=user.id, now=now)
    if lock is None or lock.delivery_id != delivery_id:
        raise NotLocked("该任务未锁定给您（可能已超时释放），请重新领取任务")
    renew(lock, now)
    return lock


def _try_lock(db_session: Session, user: User, delivery_id: int, now: datetime) -> TaskLock | None:
    lock = TaskLock(delivery_id=delivery_id, user_id=user.id, locked_at=now, expires_at=now + lock_ttl())
    try:
        with db_session.begin_nested():
            db_session.add(lock)
    except IntegrityError:
        return None
    return lock


def take_next(*, db_session: Session, agent: User, now: datetime | None = None) -> TaskLock:
    """Lock the best waiting delivery to AGENT (or return the one they already hold)."""
    now = now or utcnow()
    held = held_lock(db_session=db_session, user_id=agent.id, now=now)
    if held is not None:
        renew(held, now)
        return held
    return lock_best(db_session=db_session, agent=agent, now=now)


def lock_best(*, db_session: Session, agent: User, now: datetime) -> TaskLock:
    """Lock the best waiting delivery to AGENT, who holds none (NoTaskWaiting when none waits)."""
    expire_locks(db_session=db_session, now=now)
    for _ in range(ROUNDS):
        candidates = queue.next_candidates(
            db_session=db_session, agent=agent, now=now, limit=CANDIDATES_PER_ROUND
        )
        for delivery_id in candidates:
            lock = _try_lock(db_session, agent, delivery_id, now)
            if lock is not None:
                _record(db_session, agent, lock, "task_locked", {"expires_at": lock.expires_at.isoformat()})
                return lock
            raced = held_lock(db_session=db_session, user_id=agent.id, now=now)
            if raced is not None:  # the same agent's other request won
                return raced
        if len(candidates) < CANDIDATES_PER_ROUND:
            break
    raise NoTaskWaiting("队列中暂无待呼叫的送达任务")


def release(
    *, db_session: Session, lock: TaskLock, actor: User, reason: str, close_attempt: bool = True
) -> bool:
    """End LOCK (once, whoever else tries too); an unfinished phone attempt is closed by its calls."""
    db_session.flush()
    deleted = db_session.execute(
        delete(TaskLock)
        .where(TaskLock.id == lock.id, TaskLock.expires_at == lock.expires_at)
        .execution_options(synchronize_session=False)
    )
    if deleted.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if lock in db_session:
        db_session.expunge(lock)
    holder = actor if actor.id == lock.user_id else db_session.get(User, lock.user_id)
    detail: dict[str, object] = {"reason": reason}
    if close_attempt and holder is not None:
        detail |= _close_unfinished(db_session, holder, lock.delivery_id, reason)
    _record(db_session, actor, lock, "task_released", detail)
    return True


def _close_unfinished(db_session: Session, holder: User, delivery_id: int, reason: str) -> dict[str, object]:
    delivery = db_session.get(Delivery, delivery_id)
    attempt = phone.open_phone_attempt(delivery, holder.id) if delivery is not None else None
    if delivery is None or attempt is None:
        return {}
    now = utcnow()
    outcome = phone.close_attempt_from_calls(
        db_session=db_session, actor=holder, attempt=attempt, note=f"任务释放：{reason}"
    )
    detail: dict[str, object] = {"attempt_id": attempt.id, "outcome": outcome.value if outcome else None}
    if outcome is not None:
        follow = followup.after_failure(db_session=db_session, actor=holder, failed=attempt, now=now)
        detail["follow_up"] = follow.describe()
    return detail


def release_held(*, db_session: Session, user: User, actor: User, reason: str) -> bool:
    """Release whatever USER holds (going offline, forced off by a supervisor)."""
    lock = db_session.scalar(select(TaskLock).where(TaskLock.user_id == user.id))
    return lock is not None and release(db_session=db_session, lock=lock, actor=actor, reason=reason)


def expire_locks(*, db_session: Session, now: datetime) -> int:
    """Release the locks whose time ran out (abandoned tasks); returns how many this call released.
    A holder still on the call is not gone: their lock is renewed instead."""
    expired = list(db_session.scalars(select(TaskLock).where(TaskLock.expires_at <= now)))
    if not expired:  # the usual case on every next task: nothing more to ask
        return 0
    on_a_call = set(
        db_session.scalars(
            select(AgentPresence.user_id).where(
                AgentPresence.user_id.in_([lock.user_id for lock in expired]),
                AgentPresence.state.in_((PresenceState.ringing, PresenceState.on_call)),
            )
        )
    )
    released = 0
    for lock in expired:
        if lock.user_id in on_a_call:
            renew(lock, now)
            continue
        holder = db_session.get(User, lock.user_id)
        if holder is not None and release(db_session=db_session, lock=lock, actor=holder, reason="abandoned"):
            released += 1
    return released


def _record(db_session: Session, actor: User, lock: TaskLock, action: str, detail: dict[str, object]) -> None:
    delivery = db_session.get(Delivery, lock.delivery_id)
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action=action,
        object_type="delivery",
        object_id=lock.delivery_id,
        case_id=delivery.case_id if delivery else None,
        detail={"agent_user_id": lock.user_id, **detail},
    )
    notify.task_changed(db_session, lock.user_id)
