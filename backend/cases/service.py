"""Reading cases: scoped lists with filters, and the assembled case file."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, selectinload

from backend.auth.models import User
from backend.cases import access
from backend.cases.models import Case
from backend.cases.schemas import CaseFilters
from backend.core.clock import beijing_day_start
from backend.core.errors import NotVisible
from backend.core.pagination import fetch_page
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt, attempt_evidence
from backend.evidence.models import Evidence
from backend.parties.models import ContactPoint, Party

OPEN_DELIVERY_STATUSES = frozenset(
    {DeliveryStatus.pending, DeliveryStatus.in_progress, DeliveryStatus.unservable}
)


def contains_text(column: Any, text: str) -> Any:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def _open_delivery_condition(wanted: bool) -> Any:
    open_delivery = exists().where(Delivery.case_id == Case.id, Delivery.status.in_(OPEN_DELIVERY_STATUSES))
    return open_delivery if wanted else ~open_delivery


def _text_conditions(filters: CaseFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.case_type is not None:
        conditions.append(Case.case_type == filters.case_type)
    if filters.case_number:
        conditions.append(contains_text(Case.case_number, filters.case_number))
    if filters.judge:
        conditions.append(contains_text(Case.judge_name, filters.judge))
    if filters.clerk:
        conditions.append(contains_text(Case.clerk_name, filters.clerk))
    if filters.has_open_deliveries is not None:
        conditions.append(_open_delivery_condition(filters.has_open_deliveries))
    return conditions


def _date_conditions(filters: CaseFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.filed_from is not None:
        conditions.append(Case.filed_on >= filters.filed_from)
    if filters.filed_to is not None:
        conditions.append(Case.filed_on <= filters.filed_to)
    if filters.hearing_from is not None:
        conditions.append(Case.hearing_at >= beijing_day_start(filters.hearing_from))
    if filters.hearing_to is not None:
        conditions.append(Case.hearing_at < beijing_day_start(filters.hearing_to + timedelta(days=1)))
    return conditions


def case_query(*, user: User, filters: CaseFilters) -> Select[Any]:
    """Cases in the caller's scope matching FILTERS, most recently filed first."""
    return (
        select(Case)
        .where(access.case_visible(user, Case.id), *_text_conditions(filters), *_date_conditions(filters))
        .order_by(Case.filed_on.desc(), Case.id.desc())
    )


def list_cases(*, db_session: Session, user: User, filters: CaseFilters) -> tuple[list[Case], int]:
    return fetch_page(db_session=db_session, query=case_query(user=user, filters=filters), params=filters)


@dataclass
class CaseFileContent:
    case: Case
    evidence: list[Evidence]
    evidence_attempts: dict[int, list[int]] = field(default_factory=dict)
    evidence_creators: dict[int, str] = field(default_factory=dict)


def _load_case(db_session: Session, user: User, case_id: int) -> Case:
    query = (
        select(Case)
        .where(Case.id == case_id, access.case_visible(user, Case.id))
        .options(
            selectinload(Case.court),
            selectinload(Case.parties).selectinload(Party.contact_points).selectinload(ContactPoint.history),
            selectinload(Case.documents),
            selectinload(Case.deliveries).selectinload(Delivery.attempts),
            selectinload(Case.deliveries).selectinload(Delivery.documents),
            selectinload(Case.deliveries).selectinload(Delivery.party),
        )
    )
    case = db_session.scalar(query)
    if case is None:
        raise NotVisible("案件")
    return case


def _evidence_links(db_session: Session, case_id: int) -> dict[int, list[int]]:
    rows = db_session.execute(
        select(attempt_evidence.c.evidence_id, attempt_evidence.c.attempt_id)
        .join(DeliveryAttempt, DeliveryAttempt.id == attempt_evidence.c.attempt_id)
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .where(Delivery.case_id == case_id)
        .order_by(attempt_evidence.c.attempt_id)
    )
    links: dict[int, list[int]] = {}
    for evidence_id, attempt_id in rows:
        links.setdefault(evidence_id, []).append(attempt_id)
    return links


def case_file(*, db_session: Session, user: User, case_id: int) -> CaseFileContent:
    """Everything on file for a case in the caller's scope, or NotVisible."""
    case = _load_case(db_session, user, case_id)
    evidence = list(
        db_session.scalars(select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.id))
    )
    creator_ids = {item.created_by_user_id for item in evidence if item.created_by_user_id is not None}
    creator_rows = db_session.execute(select(User.id, User.username).where(User.id.in_(creator_ids)))
    creators = {user_id: username for user_id, username in creator_rows}
    return CaseFileContent(
        case=case,
        evidence=evidence,
        evidence_attempts=_evidence_links(db_session, case_id),
        evidence_creators=creators,
    )
