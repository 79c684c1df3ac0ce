"""Served deliveries whose proof would claim more than the evidence shows.

A served delivery passes when its succeeded attempt holds every fact its method requires for its
outcome, and every such fact rests on an evidence item of the same case that is still in the chain.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend.cases.models import Case
from backend.deliveries import facts as fact_service
from backend.deliveries.enums import METHOD_LABELS, AttemptOutcome, AttemptStatus, DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.evidence.facts import in_chain
from backend.evidence.models import Evidence

BATCH = 1_000


@dataclass(frozen=True, slots=True)
class IncompleteService:
    delivery_id: int
    case_number: str
    method: str
    problems: list[str]


def _problems(db_session: Session, delivery: Delivery) -> list[str]:
    served = [a for a in delivery.attempts if a.status is AttemptStatus.succeeded]
    if not served:
        return ["标记为已送达，但没有成功的送达尝试"]
    attempt = served[-1]
    sheet = fact_service.fact_sheet(
        db_session=db_session, attempt=attempt, outcome=attempt.outcome or AttemptOutcome.served
    )
    problems = [f"缺少「{required.label}」" for required, row in sheet if row is None]
    for required, row in sheet:
        if row is not None and not _chained(db_session, row.evidence_id, delivery.case_id):
            problems.append(f"「{required.label}」的依据证据 #{row.evidence_id} 不在本案证据链中")
    return problems


def _chained(db_session: Session, evidence_id: int, case_id: int) -> bool:
    item = db_session.get(Evidence, evidence_id)
    return item is not None and item.case_id == case_id and in_chain(db_session=db_session, evidence=item)


def _served_deliveries(db_session: Session) -> Iterator[Delivery]:
    last_id = 0
    while True:
        query = (
            select(Delivery)
            .where(Delivery.status == DeliveryStatus.served, Delivery.id > last_id)
            .options(selectinload(Delivery.attempts).selectinload(DeliveryAttempt.delivery))
            .order_by(Delivery.id)
            .limit(BATCH)
        )
        batch = list(db_session.scalars(query))
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
        db_session.expunge_all()


def incomplete_services(*, db_session: Session) -> Iterator[IncompleteService]:
    """Every served delivery whose facts are incomplete or rest on missing evidence."""
    for delivery in _served_deliveries(db_session):
        problems = _problems(db_session, delivery)
        if problems:
            case_number = db_session.scalar(select(Case.case_number).where(Case.id == delivery.case_id)) or ""
            method = METHOD_LABELS[delivery.served_method] if delivery.served_method else "（未知）"
            yield IncompleteService(delivery.id, case_number, method, problems)
