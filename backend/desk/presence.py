"""Agent presence: available, ringing, on a call, wrapping up (timed), on a break, offline.

Agents choose available, break (with a reason) and offline; a supervisor may force break or offline;
calls move the rest. The call-driven changes are compare-and-set UPDATEs, so when several API processes
hear the same call event exactly one of them applies it (and announces it)."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.models import AuthToken, User
from backend.config import get_settings
from backend.core.errors import InvalidRequest, RuleViolation
from backend.database import utcnow
from backend.desk import locks, notify
from backend.desk.enums import PRESENCE_LABELS, PresenceState
from backend.desk.models import AgentPresence, TaskLock

P = PresenceState
AGENT_SETTABLE = frozenset({P.available, P.on_break, P.offline})
FORCEABLE = frozenset({P.on_break, P.offline})
# The states an agent may leave for each state they choose themselves.
AGENT_FROM = {
    P.available: frozenset({P.available, P.on_break, P.offline}),
    P.on_break: frozenset({P.available, P.on_break, P.offline}),
    P.offline: frozenset({P.available, P.on_break, P.offline, P.wrap_up}),
}
CALLABLE_FROM = frozenset({P.available, P.wrap_up})
ON_A_CALL = (P.ringing, P.on_call)


class PresenceRefused(RuleViolation):
    """The presence change is not allowed from the current state."""

    code = "presence_refused"


def wrap_up_time() -> timedelta:
    return timedelta(seconds=get_settings().desk_wrap_up_seconds)


def get_presence(*, db_session: Session, user_id: int) -> AgentPresence:
    """The user's presence row, created offline on first use."""
    presence = db_session.get(AgentPresence, user_id)
    if presence is not None:
        return presence
    presence = AgentPresence(user_id=user_id, state=P.offline, since=utcnow())
    try:
        with db_session.begin_nested():
            db_session.add(presence)
    except IntegrityError:  # created concurrently
        found = db_session.get(AgentPresence, user_id, populate_existing=True)
        assert found is not None
        return found
    return presence


def _apply(
    db_session: Session, presence: AgentPresence, state: PresenceState, now: datetime, **fields: Any
) -> None:
    presence.state = state
    presence.since = now
    presence.reason = fields.get("reason")
    presence.call_id = fields.get("call_id")
    presence.wrap_up_until = fields.get("wrap_up_until")
    notify.agent_changed(db_session, presence.user_id)


def _clean_reason(state: PresenceState, reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if state is P.on_break and reason is None:
        raise InvalidRequest("小休须注明原因")
    return reason if state is P.on_break else None


def set_own(
    *, db_session: Session, agent: User, state: PresenceState, reason: str | None = None
) -> AgentPresence:
    """The agent chooses available, break (with a reason) or offline; offline releases their task."""
    if state not in AGENT_SETTABLE:
        raise InvalidRequest("只能设置为空闲、小休或离线")
    reason = _clean_reason(state, reason)
    presence = get_presence(db_session=db_session, user_id=agent.id)
    if presence.state not in AGENT_FROM[state]:
        raise PresenceRefused(
            f"当前状态「{PRESENCE_LABELS[presence.state]}」不能切换为「{PRESENCE_LABELS[state]}」"
        )
    if (presence.state, presence.reason) != (state, reason):
        _apply(db_session, presence, state, utcnow(), reason=reason)
    if state is P.offline:
        locks.release_held(db_session=db_session, user=agent, actor=agent, reason="offline")
    return presence


def force(
    *, db_session: Session, actor: User, user: User, state: PresenceState, reason: str | None
) -> AgentPresence:
    """A supervisor puts an agent on a break or offline (a call in progress is not cut)."""
    if state not in FORCEABLE:
        raise InvalidRequest("只能强制设置为小休或离线")
    reason = (reason or "").strip() or "主管设置"
    presence = get_presence(db_session=db_session, user_id=user.id)
    previous = presence.state
    _apply(db_session, presence, state, utcnow(), reason=reason)
    if state is P.offline:
        locks.release_held(db_session=db_session, user=user, actor=actor, reason="forced_offline")
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="presence_forced",
        object_type="user",
        object_id=user.id,
        detail={"from": previous.value, "to": state.value, "reason": reason},
    )
    return presence


def call_placed(*, db_session: Session, agent: User, call_id: str) -> None:
    """The agent dialled from the desk: ringing, remembering the call (a retried request changes nothing)."""
    presence = get_presence(db_session=db_session, user_id=agent.id)
    if presence.call_id == call_id and presence.state in ON_A_CALL:
        return
    if presence.state not in CALLABLE_FROM:
        raise PresenceRefused(f"当前状态「{PRESENCE_LABELS[presence.state]}」不能发起呼叫，请先置为空闲")
    _apply(db_session, presence, P.ringing, utcnow(), call_id=call_id)


def _compare_and_set(db_session: Session, user_id: int, conditions: list[Any], **values: Any) -> bool:
    result = db_session.execute(
        update(AgentPresence)
        .where(AgentPresence.user_id == user_id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    presence = db_session.get(AgentPresence, user_id)
    if presence is not None:
        db_session.expire(presence)
    notify.agent_changed(db_session, user_id)
    return True


def _user_on_call(db_session: Session, call_id: str, states: tuple[PresenceState, ...]) -> int | None:
    query = select(AgentPresence.user_id).where(
        AgentPresence.call_id == call_id, AgentPresence.state.in_(states)
    )
    return db_session.scalar(query)


def call_answered(*, db_session: Session, call_id: str, at: datetime) -> bool:
    """The agent's phone answered the desk call: on a call."""
    user_id = _user_on_call(db_session, call_id, (P.ringing,))
    if user_id is None:
        return False
    conditions = [AgentPresence.call_id == call_id, AgentPresence.state == P.ringing]
    return _compare_and_set(db_session, user_id, conditions, state=P.on_call, since=at)


def call_ended(*, db_session: Session, call_id: str, at: datetime) -> bool:
    """The desk call ended: wrap-up while the agent still holds the task, else straight back to available."""
    user_id = _user_on_call(db_session, call_id, ON_A_CALL)
    if user_id is None:
        return False
    held = exists().where(TaskLock.user_id == user_id, TaskLock.expires_at > utcnow())
    holds_task = db_session.scalar(select(held)) or False
    values: dict[str, Any] = {"state": P.available, "since": at, "call_id": None, "wrap_up_until": None}
    if holds_task:
        values |= {"state": P.wrap_up, "call_id": call_id, "wrap_up_until": at + wrap_up_time()}
    conditions = [AgentPresence.call_id == call_id, AgentPresence.state.in_(ON_A_CALL)]
    return _compare_and_set(db_session, user_id, conditions, reason=None, **values)


def finish_wrap_up(*, db_session: Session, user_id: int, now: datetime) -> bool:
    """The disposition is saved: wrap-up ends now."""
    conditions = [AgentPresence.state == P.wrap_up]
    values = {"state": P.available, "since": now, "call_id": None, "wrap_up_until": None}
    return _compare_and_set(db_session, user_id, conditions, **values)


def expire_wrap_ups(*, db_session: Session, now: datetime) -> int:
    """Agents whose wrap-up time ran out become available (as of the end of their wrap-up)."""
    rows = db_session.execute(
        select(AgentPresence.user_id, AgentPresence.wrap_up_until).where(
            AgentPresence.state == P.wrap_up, AgentPresence.wrap_up_until <= now
        )
    ).all()
    changed = 0
    for user_id, until in rows:
        conditions = [AgentPresence.state == P.wrap_up, AgentPresence.wrap_up_until == until]
        values = {"state": P.available, "since": until, "call_id": None, "wrap_up_until": None}
        changed += _compare_and_set(db_session, user_id, conditions, **values)
    return changed


def sign_out_absent(*, db_session: Session, now: datetime) -> int:
    """Agents without a live session (logged out, token expired) go offline and give back their task."""
    live_token = exists().where(
        AuthToken.user_id == AgentPresence.user_id, AuthToken.revoked_at.is_(None), AuthToken.expires_at > now
    )
    user_ids = db_session.scalars(
        select(AgentPresence.user_id).where(AgentPresence.state != P.offline, ~live_token)
    )
    changed = 0
    for user_id in list(user_ids):
        values = {
            "state": P.offline,
            "since": now,
            "reason": "已退出登录",
            "call_id": None,
            "wrap_up_until": None,
        }
        if _compare_and_set(db_session, user_id, [AgentPresence.state != P.offline], **values):
            user = db_session.get(User, user_id)
            if user is not None:
                locks.release_held(db_session=db_session, user=user, actor=user, reason="signed_out")
            changed += 1
    return changed


DESK_CLOSED_REASON = "工作台已关闭"
LEFT_WHEN_DESK_CLOSES = (P.available, P.on_break)


def desk_grace() -> timedelta:
    return timedelta(seconds=get_settings().desk_presence_grace_seconds)


def mark_desks_seen(*, db_session: Session, user_ids: set[int], now: datetime) -> None:
    """USER_IDS have a desk socket open in this process at NOW."""
    if user_ids:
        db_session.execute(
            update(AgentPresence)
            .where(AgentPresence.user_id.in_(user_ids))
            .values(desk_seen_at=now)
            .execution_options(synchronize_session=False)
        )


def _leave_closed_desk(db_session: Session, user_id: int, conditions: list[Any], now: datetime) -> bool:
    values = {"state": P.offline, "since": now, "reason": DESK_CLOSED_REASON, "call_id": None}
    conditions = [AgentPresence.state.in_(LEFT_WHEN_DESK_CLOSES), *conditions]
    if not _compare_and_set(db_session, user_id, conditions, wrap_up_until=None, **values):
        return False
    user = db_session.get(User, user_id)
    if user is not None:
        locks.release_held(db_session=db_session, user=user, actor=user, reason="desk_closed")
    return True


def desk_closed(*, db_session: Session, user_id: int, closed_at: datetime, now: datetime) -> bool:
    """The agent's last desk socket in this process closed at CLOSED_AT: unless a desk of theirs was seen
    since (another tab, another process, a reload), an available or resting agent goes offline."""
    not_seen_since = or_(AgentPresence.desk_seen_at.is_(None), AgentPresence.desk_seen_at <= closed_at)
    return _leave_closed_desk(db_session, user_id, [not_seen_since], now)


def sign_out_closed_desks(*, db_session: Session, now: datetime) -> int:
    """Agents whose desk no process has seen for a while (a crashed process, a call that ended after the tab
    closed) go offline; agents who never opened a desk socket (API clients) are left alone."""
    stale = [AgentPresence.desk_seen_at.is_not(None), AgentPresence.desk_seen_at < now - 3 * desk_grace()]
    user_ids = list(
        db_session.scalars(
            select(AgentPresence.user_id).where(AgentPresence.state.in_(LEFT_WHEN_DESK_CLOSES), *stale)
        )
    )
    return sum(_leave_closed_desk(db_session, user_id, stale, now) for user_id in user_ids)
