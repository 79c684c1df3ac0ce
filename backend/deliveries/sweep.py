"""The router's periodic pass: what the 24-hour rule needs done even when nobody is looking.

1. A planned attempt whose start-by passed unmet raises one alert (and the alert resolves once the
   attempt starts, is cancelled or the delivery ends).
2. A delivery in progress whose last attempt failed with nothing planned gets its next attempt (a
   failure recorded by a crashed process, an import, or a desk retry without a plan).
3. A notice (公告送达) whose 30 days have run is served on its deemed date.
4. A new delivery whose first method is fixed by a rule (a commercial case whose party confirmed an
   e-delivery address: electronic first) gets that attempt, however the delivery was made (an import too).
Each step reads only through indexes on the small open part of the tables, in bounded batches.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, selectinload

from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.core.clock import BEIJING
from backend.core.errors import RuleViolation
from backend.deliveries import planning, serving
from backend.deliveries.enums import (
    METHOD_LABELS,
    NOTICE_PERIOD,
    AttemptOutcome,
    AttemptStatus,
    DeliveryMethod,
    DeliveryStatus,
)
from backend.deliveries.models import AttemptFact, Delivery, DeliveryAttempt, RouterAlert
from backend.parties.models import Party

START_BY_MISSED = "start_by_missed"
BATCH = 500
OPEN = (AttemptStatus.planned, AttemptStatus.in_progress)


@dataclass
class PassReport:
    alerts_raised: list[int] = field(default_factory=list)
    alerts_resolved: int = 0
    planned: list[int] = field(default_factory=list)
    notices_served: list[int] = field(default_factory=list)
    first_planned: list[int] = field(default_factory=list)


def _missed_start_by(db_session: Session, now: datetime) -> list[tuple[int, int, DeliveryMethod, datetime]]:
    alerted = exists().where(
        RouterAlert.attempt_id == DeliveryAttempt.id, RouterAlert.kind == START_BY_MISSED
    )
    query = (
        select(
            DeliveryAttempt.id, DeliveryAttempt.delivery_id, DeliveryAttempt.method, DeliveryAttempt.start_by
        )
        .where(
            DeliveryAttempt.status == AttemptStatus.planned,
            DeliveryAttempt.start_by.is_not(None),
            DeliveryAttempt.start_by < now,
            ~alerted,
        )
        .order_by(DeliveryAttempt.start_by)
        .limit(BATCH)
    )
    return [(row[0], row[1], row[2], row[3]) for row in db_session.execute(query) if row[3] is not None]


def raise_alerts(*, db_session: Session, now: datetime) -> list[int]:
    """One alert per planned attempt whose start-by passed; returns the new alerts' attempt ids."""
    raised = []
    for attempt_id, delivery_id, method, start_by in _missed_start_by(db_session, now):
        due = start_by.astimezone(BEIJING)
        message = (
            f"{METHOD_LABELS[method]}应于 {due:%Y-%m-%d %H:%M} 前启动，已超时（失败后 24 小时内须转其他方式）"
        )
        db_session.add(
            RouterAlert(
                delivery_id=delivery_id,
                attempt_id=attempt_id,
                kind=START_BY_MISSED,
                due_at=start_by,
                message=message,
            )
        )
        raised.append(attempt_id)
    db_session.flush()
    return raised


def resolve_alerts(*, db_session: Session, now: datetime) -> int:
    """Close the alerts whose attempt is no longer waiting to start."""
    moved_on = exists().where(
        DeliveryAttempt.id == RouterAlert.attempt_id, DeliveryAttempt.status != AttemptStatus.planned
    )
    statement = (
        update(RouterAlert)
        .where(RouterAlert.resolved_at.is_(None), moved_on)
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    return db_session.execute(statement).rowcount or 0  # type: ignore[attr-defined]


def _unplanned_failures(db_session: Session) -> list[Delivery]:
    open_attempt = exists().where(
        DeliveryAttempt.delivery_id == Delivery.id, DeliveryAttempt.status.in_(OPEN)
    )
    # Ids first, without ORDER BY ... LIMIT: with them PostgreSQL walked the whole table in id order
    # looking for a batch that is rarely there, instead of starting from the few deliveries in progress.
    stuck = select(Delivery.id).where(Delivery.status == DeliveryStatus.in_progress, ~open_attempt)
    ids = sorted(db_session.scalars(stuck))[:BATCH]
    return _loaded(db_session, ids) if ids else []


def plan_missing_follow_ups(*, db_session: Session, now: datetime) -> list[int]:
    """Plan the next attempt of every delivery whose last attempt failed with nothing planned."""
    planned = []
    deliveries = _unplanned_failures(db_session)
    consenting = planning.consenting_parties(
        db_session=db_session, party_ids={delivery.party_id for delivery in deliveries}
    )
    for delivery in deliveries:
        ended = [a for a in delivery.attempts if a.ended_at is not None]
        last = max(ended, key=lambda a: (a.ended_at, a.id), default=None)
        if last is None or last.status is not AttemptStatus.failed:
            continue
        attempt = planning.plan_after_failure(
            db_session=db_session,
            actor=None,
            failed=last,
            now=now,
            consents=delivery.party_id in consenting,
        )
        if attempt is not None:
            planned.append(attempt.id)
    return planned


def _loaded(db_session: Session, ids: list[int]) -> list[Delivery]:
    query = (
        select(Delivery)
        .where(Delivery.id.in_(ids))
        .options(  # what the router reads, in one query each instead of one per delivery
            selectinload(Delivery.attempts),
            selectinload(Delivery.case),
            selectinload(Delivery.documents),
            selectinload(Delivery.party).selectinload(Party.contact_points),
        )
        .order_by(Delivery.id)
    )
    return list(db_session.scalars(query))


def plan_first_routes(*, db_session: Session, now: datetime) -> list[int]:
    """Plan electronic first for new commercial deliveries whose party confirmed an e-delivery address."""
    any_attempt = exists().where(DeliveryAttempt.delivery_id == Delivery.id)
    commercial = exists().where(Case.id == Delivery.case_id, Case.case_type == CaseType.commercial)
    # New deliveries first (few, through the status index), then their parties' consent by party id:
    # asked in one query, PostgreSQL read every confirmation to find the consenting ones.
    new = select(Delivery.id, Delivery.party_id).where(
        Delivery.status == DeliveryStatus.pending, commercial, ~any_attempt
    )
    rows = db_session.execute(new).all()
    consenting = planning.consenting_parties(db_session=db_session, party_ids={row[1] for row in rows})
    ids = sorted(row[0] for row in rows if row[1] in consenting)[:BATCH]
    planned = []
    for delivery in _loaded(db_session, ids) if ids else []:  # each consented: the query asked for it
        attempt = planning.plan_first(
            db_session=db_session, actor=None, delivery=delivery, now=now, consents=True
        )
        if attempt is not None:
            planned.append(attempt.id)
    return planned


def serve_due_notices(*, db_session: Session, now: datetime) -> list[int]:
    """Serve the notices whose 30 days have run (their channel refuses the others)."""
    published_by = (now.astimezone(BEIJING).date() - NOTICE_PERIOD).isoformat()
    published_long_enough = exists().where(
        AttemptFact.attempt_id == DeliveryAttempt.id,
        AttemptFact.key == "published_on",
        func.substr(AttemptFact.value, 1, 10) <= published_by,
    )
    query = (  # only those that can be due: the others would be read, refused and read again every pass
        select(DeliveryAttempt)
        .where(
            DeliveryAttempt.method == DeliveryMethod.notice,
            DeliveryAttempt.status == AttemptStatus.in_progress,
            published_long_enough,
        )
        .options(selectinload(DeliveryAttempt.delivery).selectinload(Delivery.attempts))
        .order_by(DeliveryAttempt.id)
        .limit(BATCH)
    )
    served = []
    for attempt in db_session.scalars(query):
        try:  # the channel refuses before writing anything: not yet due, or facts still missing
            serving.serve_attempt(
                db_session=db_session, actor=None, attempt=attempt, outcome=AttemptOutcome.served
            )
        except RuleViolation:
            continue
        served.append(attempt.id)
    return served


def run_router_pass(*, db_session: Session, now: datetime) -> PassReport:
    """One pass of the router's periodic job."""
    report = PassReport()
    report.notices_served = serve_due_notices(db_session=db_session, now=now)
    report.planned = plan_missing_follow_ups(db_session=db_session, now=now)
    report.first_planned = plan_first_routes(db_session=db_session, now=now)
    report.alerts_resolved = resolve_alerts(db_session=db_session, now=now)
    report.alerts_raised = raise_alerts(db_session=db_session, now=now)
    return report
