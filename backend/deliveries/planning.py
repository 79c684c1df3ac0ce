"""The router applied: plan the next attempt after a failure, or a new delivery's first, with a start-by."""

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.clock import BEIJING
from backend.deliveries import attempts as attempt_service
from backend.deliveries.channels import channel_for
from backend.deliveries.enums import (
    METHOD_LABELS,
    AttemptOutcome,
    AttemptStatus,
    DeliveryStatus,
)
from backend.deliveries.models import AddressConfirmation, Delivery, DeliveryAttempt
from backend.deliveries.router import Route, RoutingContext, first_route, next_route
from backend.deliveries.state import is_terminal_delivery
from backend.parties.models import usable_contact_points

OPEN_ATTEMPT = (AttemptStatus.planned, AttemptStatus.in_progress)
IN_LIST_CHUNK = 5_000


def consents_to_electronic(*, db_session: Session, party_id: int) -> bool:
    """True when the party signed or confirmed an e-delivery address (送达地址确认书 with consent)."""
    query = select(
        exists().where(AddressConfirmation.party_id == party_id, AddressConfirmation.consents_to_electronic)
    )
    return bool(db_session.scalar(query))


def consenting_parties(*, db_session: Session, party_ids: set[int]) -> set[int]:
    """Those of PARTY_IDS who consented to e-delivery, in one query (the router's pass plans in batches)."""
    ordered, found = sorted(party_ids), set[int]()
    for start in range(0, len(ordered), IN_LIST_CHUNK):  # bounded IN lists (SQLite caps bound values)
        query = select(AddressConfirmation.party_id).where(
            AddressConfirmation.party_id.in_(ordered[start : start + IN_LIST_CHUNK]),
            AddressConfirmation.consents_to_electronic,
        )
        found.update(db_session.scalars(query))
    return found


def _context(
    db_session: Session,
    delivery: Delivery,
    failed: DeliveryAttempt | None,
    now: datetime,
    consents: bool | None,
) -> RoutingContext:
    if consents is None:
        consents = consents_to_electronic(db_session=db_session, party_id=delivery.party_id)
    return RoutingContext(delivery=delivery, failed=failed, now=now, consents_to_electronic=consents)


def _plan(
    db_session: Session, actor: User | None, delivery: Delivery, route: Route, reason: str
) -> DeliveryAttempt:
    kinds = channel_for(route.method).contact_kinds  # where the method is planned, in order of preference
    points = [point for kind in kinds for point in usable_contact_points(delivery.party, kind)]
    due = route.start_by.astimezone(BEIJING)
    return attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=route.method,
        planned_at=route.start_by,
        start_by=route.start_by,
        contact_point_id=points[0].id if points else None,
        notes=f"{reason}，须于 {due:%Y-%m-%d %H:%M} 前启动{METHOD_LABELS[route.method]}",
    )


def plan_first(
    *,
    db_session: Session,
    actor: User | None,
    delivery: Delivery,
    now: datetime,
    consents: bool | None = None,
) -> DeliveryAttempt | None:
    """Plan a new delivery's first attempt where a rule fixes it (confirmed commercial e-delivery: 100 %)."""
    if delivery.attempts or is_terminal_delivery(delivery.status):
        return None
    route = first_route(_context(db_session, delivery, None, now, consents))
    if route is None:
        return None
    return _plan(db_session, actor, delivery, route, "商事案件当事人已确认电子送达地址，先行电子送达")


def has_open_attempt(delivery: Delivery) -> bool:
    return any(attempt.status in OPEN_ATTEMPT for attempt in delivery.attempts)


def plan_after_failure(
    *,
    db_session: Session,
    actor: User | None,
    failed: DeliveryAttempt,
    now: datetime,
    consents: bool | None = None,
) -> DeliveryAttempt | None:
    """Plan what the router says follows FAILED, unless something is already planned or under way;
    CONSENTS, when the caller already knows whether the party consented to e-delivery."""
    delivery = failed.delivery
    if is_terminal_delivery(delivery.status) or has_open_attempt(delivery):
        return None
    route = next_route(_context(db_session, delivery, failed, now, consents))
    if route is None:  # every way has failed: 无法送达, for a supervisor to decide
        if delivery.status is DeliveryStatus.in_progress:
            delivery.transition(DeliveryStatus.unservable)
        return None
    return _plan(db_session, actor, delivery, route, f"{METHOD_LABELS[failed.method]}未能送达")


def fail_and_plan_next(
    *,
    db_session: Session,
    actor: User,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome | None,
    now: datetime,
    notes: str | None = None,
) -> DeliveryAttempt | None:
    """Fail ATTEMPT and plan the next one (24-hour rule); returns the planned attempt, if any."""
    attempt_service.transition_attempt(
        db_session=db_session,
        actor=actor,
        attempt=attempt,
        status=AttemptStatus.failed,
        outcome=outcome,
        notes=notes,
    )
    return plan_after_failure(db_session=db_session, actor=actor, failed=attempt, now=now)
