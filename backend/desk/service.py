"""Desk use cases, each one transaction: take the next task, look at it, call, record the result,
release it; and the sweeps and call-event reactions the websocket hub runs."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.models import User
from backend.calls import service as call_service
from backend.calls.models import CallRecord
from backend.cases import access
from backend.config import Settings
from backend.core.errors import InvalidRequest, NotVisible, RuleViolation
from backend.database import utcnow
from backend.desk import cards, dispositions, locks, notify, phone, presence, refusals, snapshots
from backend.desk.enums import PresenceState
from backend.desk.live_calls import owner_of
from backend.desk.models import TaskLock
from backend.parties.contacts import normalise
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint
from telephony.events import AgentAnswered, CallEnded, CallEvent
from telephony.sip_accounts import agent_sip_password


@dataclass(frozen=True)
class TaskView:
    lock: TaskLock | None
    card: dict[str, Any]
    case_id: int


def sip_info(user: User, settings: Settings) -> dict[str, str] | None:
    """What the browser softphone registers with (the WebRTC endpoint web<extension>)."""
    if not user.sip_extension:
        return None
    username = f"web{user.sip_extension}"
    return {
        "ws_url": f"ws://{settings.sip_host}:{settings.asterisk_http_port}/ws",
        "uri": f"sip:{username}@{settings.sip_host}",
        "username": username,
        "password": agent_sip_password(user.sip_extension, settings=settings),
        "display_name": user.full_name,
        "extension": user.sip_extension,
    }


def me(*, db_session: Session, user: User, settings: Settings) -> dict[str, Any]:
    snapshot = snapshots.me_snapshot(db_session, user)
    return {**snapshot, "sip": sip_info(user, settings), "current_task": snapshot["task"]}


def _view(db_session: Session, user: User, delivery_id: int, lock: TaskLock | None) -> TaskView:
    delivery = cards.load_delivery(db_session=db_session, delivery_id=delivery_id)
    card = cards.task_card(db_session=db_session, delivery=delivery, agent=user, lock=lock)
    return TaskView(lock=lock, card=card, case_id=delivery.case_id)


def next_task(*, db_session: Session, agent: User) -> TaskView:
    """Lock the next waiting delivery to an available agent (or give back the one they hold)."""
    now = utcnow()
    lock = locks.held_lock(db_session=db_session, user_id=agent.id, now=now)
    if lock is None:
        state = presence.get_presence(db_session=db_session, user_id=agent.id).state
        if state is not PresenceState.available:
            raise refusals.not_available(state)
        try:
            lock = locks.lock_best(db_session=db_session, agent=agent, now=now)
        except locks.NoTaskWaiting:
            raise refusals.no_task(db_session=db_session, agent=agent, now=now) from None
    else:
        locks.renew(lock, now)
    return _view(db_session, agent, lock.delivery_id, lock)


def get_task(*, db_session: Session, user: User, delivery_id: int) -> TaskView:
    """The card of a task the caller holds (the lock is renewed), or of a delivery in their case scope."""
    now = utcnow()
    lock = locks.held_lock(db_session=db_session, user_id=user.id, now=now)
    if lock is not None and lock.delivery_id == delivery_id:
        locks.renew(lock, now)
        return _view(db_session, user, delivery_id, lock)
    view = _view(db_session, user, delivery_id, None)
    if not access.can_see_case(db_session=db_session, user=user, case_id=view.case_id):
        raise NotVisible("送达任务")
    return view


def release_task(*, db_session: Session, agent: User, delivery_id: int, reason: str | None) -> None:
    lock = locks.require_lock(db_session=db_session, user=agent, delivery_id=delivery_id, now=utcnow())
    locks.release(db_session=db_session, lock=lock, actor=agent, reason=reason or "released")


def _phone_point(db_session: Session, delivery_party_id: int, contact_point_id: int) -> ContactPoint:
    point = db_session.get(ContactPoint, contact_point_id)
    if point is None or point.party_id != delivery_party_id or point.kind is not ContactKind.phone:
        raise InvalidRequest("请选择该当事人的电话号码")
    if point.state is ContactState.invalid:
        raise RuleViolation("该号码已标记为无效")
    return point


def start_call(
    *, db_session: Session, agent: User, delivery_id: int, contact_point_id: int, idempotency_key: str
) -> tuple[CallRecord, bool]:
    """The call record for this key (created now only once): the phone attempt starts, the agent rings."""
    existing = call_service.get_call_by_key(db_session=db_session, idempotency_key=idempotency_key)
    if existing is not None:
        if existing.agent_user_id != agent.id:
            raise call_service.IdempotencyConflict("该幂等键已用于另一次呼叫")
        return existing, False
    locks.require_lock(db_session=db_session, user=agent, delivery_id=delivery_id, now=utcnow())
    delivery = cards.load_delivery(db_session=db_session, delivery_id=delivery_id)
    point = _phone_point(db_session, delivery.party_id, contact_point_id)
    attempt = phone.attempt_for_call(
        db_session=db_session, actor=agent, delivery=delivery, contact_point=point
    )
    record, created = call_service.request_call(
        db_session=db_session,
        attempt_id=attempt.id,
        agent=agent,
        number=normalise(ContactKind.phone, point.value),
        idempotency_key=idempotency_key,
    )
    presence.call_placed(db_session=db_session, agent=agent, call_id=record.call_id)
    audit_service.record(
        db_session=db_session,
        actor=agent,
        action="desk_call",
        object_type="call",
        object_id=record.call_id,
        case_id=delivery.case_id,
        detail={"delivery_id": delivery.id, "attempt_id": attempt.id, "contact_point_id": point.id},
    )
    return record, created


def dispose(
    *, db_session: Session, agent: User, delivery_id: int, disposition: dispositions.Disposition
) -> dispositions.Outcome:
    """Record the call's result; the task is released and the wrap-up ends."""
    now = utcnow()
    lock = locks.require_lock(db_session=db_session, user=agent, delivery_id=delivery_id, now=now)
    delivery = cards.load_delivery(db_session=db_session, delivery_id=delivery_id)
    attempt = phone.open_phone_attempt(delivery, agent.id)
    if attempt is None:
        raise RuleViolation("没有进行中的电话送达尝试，请先呼叫当事人")
    outcome = dispositions.apply(
        db_session=db_session,
        actor=agent,
        delivery=delivery,
        attempt=attempt,
        disposition=disposition,
        now=now,
    )
    audit_service.record(
        db_session=db_session,
        actor=agent,
        action="desk_disposition",
        object_type="delivery_attempt",
        object_id=attempt.id,
        case_id=delivery.case_id,
        detail={"kind": disposition.kind.value, **outcome.details, "evidence_id": outcome.evidence_id},
    )
    locks.release(db_session=db_session, lock=lock, actor=agent, reason="disposed", close_attempt=False)
    presence.finish_wrap_up(db_session=db_session, user_id=agent.id, now=now)
    notify.figures_changed(db_session)
    return outcome


def sweep(*, db_session: Session, now: datetime | None = None) -> dict[str, int]:
    """Wrap-ups whose time ran out, agents who logged out, and locks that expired (abandoned tasks)."""
    now = now or utcnow()
    return {
        "wrap_ups_ended": presence.expire_wrap_ups(db_session=db_session, now=now),
        "signed_out": presence.sign_out_absent(db_session=db_session, now=now),
        "desks_closed": presence.sign_out_closed_desks(db_session=db_session, now=now),
        "abandoned": locks.expire_locks(db_session=db_session, now=now),
    }


def on_call_event(*, db_session: Session, event: CallEvent) -> None:
    """Presence follows the desk's calls; a call keeps its task's lock alive."""
    if not isinstance(event, AgentAnswered | CallEnded):
        return
    owner = owner_of(db_session=db_session, call_id=event.call_id)
    if owner is not None:
        db_session.execute(
            update(TaskLock)
            .where(TaskLock.user_id == owner.agent_user_id, TaskLock.delivery_id == owner.delivery_id)
            .values(expires_at=utcnow() + locks.lock_ttl())
            .execution_options(synchronize_session=False)
        )
    if isinstance(event, AgentAnswered):
        presence.call_answered(db_session=db_session, call_id=event.call_id, at=event.at)
    else:
        presence.call_ended(db_session=db_session, call_id=event.call_id, at=event.at)
