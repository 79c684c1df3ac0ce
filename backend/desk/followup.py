"""What happens after a phone attempt fails: call again later, or switch to another method in time.

The contract's rule: after a failed attempt, another method starts within 24 hours. Phone retries are
allowed inside that window (at most MAX_PHONE_FAILURES); past it, or when no usable phone is left, or the
party refused, the next method is planned with its start due by the first failure + 24 h.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.errors import InvalidRequest
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import METHOD_LABELS, AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.desk.enums import CallbackKind
from backend.desk.models import Callback
from backend.parties.enums import ContactKind
from backend.parties.models import usable_contact_points

SWITCH_WITHIN = timedelta(hours=24)
MAX_PHONE_FAILURES = 3
RETRY_DELAYS = {
    AttemptOutcome.no_answer: timedelta(hours=2),
    AttemptOutcome.busy: timedelta(minutes=30),
    AttemptOutcome.call_failed: timedelta(minutes=15),
    AttemptOutcome.agent_no_answer: timedelta(0),  # the agent's phone did not answer: the party was not tried
    AttemptOutcome.answered: timedelta(0),
    AttemptOutcome.wrong_number: timedelta(0),  # try the party's other numbers right away
    AttemptOutcome.unreachable: timedelta(0),
}
# Failures that count towards switching method: the party was tried and not reached or refused.
PARTY_FAILURES = frozenset(
    {
        AttemptOutcome.no_answer,
        AttemptOutcome.busy,
        AttemptOutcome.rejected,
        AttemptOutcome.refused,
        AttemptOutcome.wrong_number,
        AttemptOutcome.unreachable,
    }
)
SWITCH_METHODS = (DeliveryMethod.postal, DeliveryMethod.field)


@dataclass(frozen=True)
class FollowUp:
    callback: Callback | None = None
    attempt: DeliveryAttempt | None = None

    def describe(self) -> dict[str, object]:
        if self.callback is not None:
            return {"callback_id": self.callback.id, "callback_due_at": self.callback.due_at.isoformat()}
        if self.attempt is not None:
            planned = self.attempt.planned_at.isoformat() if self.attempt.planned_at else None
            return {"attempt_id": self.attempt.id, "method": self.attempt.method.value, "start_by": planned}
        return {}


def phone_failures(delivery: Delivery) -> list[DeliveryAttempt]:
    return [
        a
        for a in delivery.attempts
        if a.method is DeliveryMethod.phone
        and a.status is AttemptStatus.failed
        and a.outcome in PARTY_FAILURES
    ]


def switch_due_at(delivery: Delivery, now: datetime) -> datetime:
    """When the next method must have started: 24 h after the first failure (never before NOW)."""
    ended = [a.ended_at for a in phone_failures(delivery) if a.ended_at is not None]
    return max(min(ended, default=now) + SWITCH_WITHIN, now)


def must_switch(delivery: Delivery, outcome: AttemptOutcome, now: datetime) -> bool:
    if outcome is AttemptOutcome.refused or not usable_contact_points(delivery.party, ContactKind.phone):
        return True
    retry_at = now + RETRY_DELAYS.get(outcome, timedelta(hours=1))
    return len(phone_failures(delivery)) >= MAX_PHONE_FAILURES or retry_at >= switch_due_at(delivery, now)


def add_callback(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    kind: CallbackKind,
    due_at: datetime,
    note: str,
    contact_point_id: int | None = None,
    attempt_id: int | None = None,
) -> Callback:
    callback = Callback(
        delivery_id=delivery.id,
        kind=kind,
        due_at=due_at,
        note=note,
        contact_point_id=contact_point_id,
        attempt_id=attempt_id,
        created_by_user_id=actor.id,
    )
    db_session.add(callback)
    db_session.flush()
    return callback


def close_callbacks(*, db_session: Session, delivery_id: int, now: datetime) -> None:
    """The callbacks of the delivery are done: a call was made and its result recorded."""
    db_session.execute(
        update(Callback)
        .where(Callback.delivery_id == delivery_id, Callback.done_at.is_(None))
        .values(done_at=now)
        .execution_options(synchronize_session=False)
    )


def open_callbacks(*, db_session: Session, delivery_id: int) -> list[Callback]:
    query = select(Callback).where(Callback.delivery_id == delivery_id, Callback.done_at.is_(None))
    return list(db_session.scalars(query.order_by(Callback.due_at)))


def next_method(delivery: Delivery) -> DeliveryMethod:
    """Post to a usable address unless the post already failed there; else go in person."""
    post_failed = any(
        a.method is DeliveryMethod.postal and a.status is AttemptStatus.failed for a in delivery.attempts
    )
    if usable_contact_points(delivery.party, ContactKind.address) and not post_failed:
        return DeliveryMethod.postal
    return DeliveryMethod.field


def plan_method(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    method: DeliveryMethod,
    now: datetime,
    notes: str = "",
) -> DeliveryAttempt:
    """Plan METHOD with its start due by the 24-hour rule."""
    if method not in SWITCH_METHODS:
        raise InvalidRequest("转其他送达方式只能选择邮寄或外出送达")
    addresses = usable_contact_points(delivery.party, ContactKind.address)
    start_by = switch_due_at(delivery, now)
    reason = f"电话未能送达，须于 {start_by:%Y-%m-%d %H:%M} (UTC) 前启动{METHOD_LABELS[method]}"
    return attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=method,
        planned_at=start_by,
        notes=f"{reason}。{notes}".rstrip("。") if notes else reason,
        contact_point_id=addresses[0].id if addresses else None,
    )


def after_failure(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    outcome: AttemptOutcome,
    now: datetime,
    method: DeliveryMethod | None = None,
    callback_at: datetime | None = None,
) -> FollowUp:
    """Schedule what follows a failed phone attempt: the method asked for, a retry, or a switch."""
    if method is not None:
        return FollowUp(
            attempt=plan_method(db_session=db_session, actor=actor, delivery=delivery, method=method, now=now)
        )
    if callback_at is None and must_switch(delivery, outcome, now):
        chosen = next_method(delivery)
        return FollowUp(
            attempt=plan_method(db_session=db_session, actor=actor, delivery=delivery, method=chosen, now=now)
        )
    if callback_at is not None and callback_at > switch_due_at(delivery, now):
        raise InvalidRequest("失败后须在 24 小时内再次尝试或转其他方式，回拨时间过晚")
    due = callback_at or now + RETRY_DELAYS.get(outcome, timedelta(hours=1))
    callback = add_callback(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        kind=CallbackKind.retry,
        due_at=due,
        note=f"重拨：{outcome.value}",
    )
    return FollowUp(callback=callback)
