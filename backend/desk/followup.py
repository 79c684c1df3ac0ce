"""What the desk does after a call fails: the DeliveryRouter decides what follows (a retry inside the
24-hour window, or the next method due by then); the desk adds the retry's callback to its queue.

The agent may instead ask for a method themselves (post or visit), or for a callback at a time the party
gave, which must fall inside the window.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.errors import InvalidRequest
from backend.deliveries import attempts as attempt_service
from backend.deliveries import planning
from backend.deliveries.enums import METHOD_LABELS, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.router import SWITCH_WITHIN, RoutingContext, retry_delay
from backend.desk.enums import CallbackKind
from backend.desk.models import Callback
from backend.parties.enums import ContactKind
from backend.parties.models import usable_contact_points

SWITCH_METHODS = (DeliveryMethod.postal, DeliveryMethod.field)


@dataclass(frozen=True)
class FollowUp:
    callback: Callback | None = None
    attempt: DeliveryAttempt | None = None

    def describe(self) -> dict[str, object]:
        if self.callback is not None:
            return {"callback_id": self.callback.id, "callback_due_at": self.callback.due_at.isoformat()}
        if self.attempt is not None:
            start_by = self.attempt.start_by.isoformat() if self.attempt.start_by else None
            return {"attempt_id": self.attempt.id, "method": self.attempt.method.value, "start_by": start_by}
        return {}


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


def plan_method(
    *,
    db_session: Session,
    actor: User,
    failed: DeliveryAttempt,
    method: DeliveryMethod,
    now: datetime,
) -> DeliveryAttempt:
    """Plan the METHOD the agent chose (post or visit), due by the 24-hour rule."""
    if method not in SWITCH_METHODS:
        raise InvalidRequest("转其他送达方式只能选择邮寄或外出送达")
    delivery = failed.delivery
    addresses = usable_contact_points(delivery.party, ContactKind.address)
    clock = RoutingContext(
        delivery=delivery, failed=failed, now=now, consents_to_electronic=False
    ).clock_start()
    start_by = max(clock + SWITCH_WITHIN, now)
    return attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=method,
        planned_at=start_by,
        start_by=start_by,
        notes=f"服务专员选择{METHOD_LABELS[method]}",
        contact_point_id=addresses[0].id if addresses else None,
    )


def _retry_callback(
    db_session: Session,
    actor: User,
    failed: DeliveryAttempt,
    retry: DeliveryAttempt,
    now: datetime,
    at: datetime | None,
) -> Callback:
    assert retry.start_by is not None
    if at is not None and at > retry.start_by:
        raise InvalidRequest("失败后须在 24 小时内再次尝试或转其他方式，回拨时间过晚")
    outcome = failed.outcome.value if failed.outcome else "failed"
    return add_callback(
        db_session=db_session,
        actor=actor,
        delivery=failed.delivery,
        kind=CallbackKind.retry,
        due_at=at or min(now + retry_delay(failed.outcome), retry.start_by),
        note=f"重拨：{outcome}",
        attempt_id=retry.id,
    )


def after_failure(
    *,
    db_session: Session,
    actor: User,
    failed: DeliveryAttempt,
    now: datetime,
    method: DeliveryMethod | None = None,
    callback_at: datetime | None = None,
) -> FollowUp:
    """What follows the failed call FAILED: the method the agent chose, else the router's decision (a
    retry gets its callback on the desk's queue)."""
    if method is not None:
        return FollowUp(
            attempt=plan_method(db_session=db_session, actor=actor, failed=failed, method=method, now=now)
        )
    planned = planning.plan_after_failure(db_session=db_session, actor=actor, failed=failed, now=now)
    if planned is None or planned.method is not DeliveryMethod.phone:
        if callback_at is not None:
            raise InvalidRequest("失败后须在 24 小时内再次尝试或转其他方式，回拨时间过晚")
        return FollowUp(attempt=planned)
    return FollowUp(
        callback=_retry_callback(db_session, actor, failed, planned, now, callback_at), attempt=planned
    )
