"""Reading cases: scoped lists with filters, and the assembled case file."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, selectinload

from backend.auth.models import User
from backend.cases import access, file_rows
from backend.cases.models import Case
from backend.cases.schemas import CaseFilePage, CaseFilters, CaseSort
from backend.core.clock import beijing_day_start
from backend.core.errors import NotVisible
from backend.core.pagination import fetch_page
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import Delivery
from backend.parties.enums import ContactKind
from backend.parties.models import ContactPoint, Party

OPEN_DELIVERY_STATUSES = frozenset(
    {DeliveryStatus.pending, DeliveryStatus.in_progress, DeliveryStatus.unservable}
)


def contains_text(column: Any, text: str) -> Any:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


_BRACKETS = str.maketrans({"（": "(", "）": ")", "〔": "(", "〕": ")"})


def case_number_key(text: str) -> str:
    """A case number as its stored key (models.CASE_NUMBER_KEY_SQL): brackets half-width, no spaces."""
    return "".join(text.translate(_BRACKETS).split())


def _case_number_condition(text: str) -> Any:
    """A number starting with its bracket is looked up by prefix on the key's index; any other part of a
    number is looked for inside the keys of the caller's scope."""
    key = case_number_key(text)
    if key.startswith("("):
        return Case.case_number_key.between(key, key + "\U0010ffff")
    return contains_text(Case.case_number_key, key)


def phone_forms(text: str) -> list[str]:
    """The ways a phone number may be stored (mobiles as digits; landlines as typed, 010-12345678 or
    0571-1234567): looked up together on the phone values' index."""
    digits = "".join(ch for ch in text if ch.isdigit())
    forms = [text.strip(), digits]
    if digits.startswith("0") and len(digits) >= 10:
        forms += [f"{digits[:3]}-{digits[3:]}", f"{digits[:4]}-{digits[4:]}"]
    return list(dict.fromkeys(form for form in forms if form))


def _party_conditions(filters: CaseFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.party:
        name = filters.party.strip()
        named = exists().where(Party.case_id == Case.id, Party.name.between(name, name + "\U0010ffff"))
        conditions.append(named)
    if filters.phone:
        reachable = exists().where(
            Party.case_id == Case.id,
            ContactPoint.party_id == Party.id,
            ContactPoint.kind == ContactKind.phone,
            ContactPoint.value.in_(phone_forms(filters.phone)),
        )
        conditions.append(reachable)
    if filters.delivery_status is not None:
        status = filters.delivery_status
        conditions.append(exists().where(Delivery.case_id == Case.id, Delivery.status == status))
    return conditions


def _open_delivery_condition(wanted: bool) -> Any:
    open_delivery = exists().where(Delivery.case_id == Case.id, Delivery.status.in_(OPEN_DELIVERY_STATUSES))
    return open_delivery if wanted else ~open_delivery


def _text_conditions(filters: CaseFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.case_type is not None:
        conditions.append(Case.case_type == filters.case_type)
    if filters.case_number and case_number_key(filters.case_number):
        conditions.append(_case_number_condition(filters.case_number))
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
    if filters.deadline_from is not None:
        conditions.append(Case.service_deadline >= filters.deadline_from)
    if filters.deadline_to is not None:
        conditions.append(Case.service_deadline <= filters.deadline_to)
    if filters.hearing_from is not None:
        conditions.append(Case.hearing_at >= beijing_day_start(filters.hearing_from))
    if filters.hearing_to is not None:
        conditions.append(Case.hearing_at < beijing_day_start(filters.hearing_to + timedelta(days=1)))
    return conditions


SORT_COLUMNS: dict[CaseSort, Any] = {
    CaseSort.filed_on: Case.filed_on,
    CaseSort.case_number: Case.case_number_key,
    CaseSort.service_deadline: Case.service_deadline,
    CaseSort.hearing_at: Case.hearing_at,
}


def case_query(*, user: User, filters: CaseFilters) -> Select[Any]:
    """Cases in the caller's scope matching FILTERS, in the asked order (most recently filed first)."""
    column = SORT_COLUMNS[filters.sort]
    order = [column.desc().nulls_last(), Case.id.desc()] if filters.descending else [
        column.asc().nulls_last(),
        Case.id.asc(),
    ]
    return (
        select(Case)
        .where(
            access.case_visible(user, Case.id),
            *_text_conditions(filters),
            *_party_conditions(filters),
            *_date_conditions(filters),
        )
        .order_by(*order)
    )


def list_cases(*, db_session: Session, user: User, filters: CaseFilters) -> tuple[list[Case], int]:
    return fetch_page(db_session=db_session, query=case_query(user=user, filters=filters), params=filters)


@dataclass
class CaseFileContent:
    """A case file: the case (with its court and documents) and, as CaseFile's dicts, a page of its
    parties and of its deliveries, and its evidence."""

    case: Case
    parties: file_rows.FilePart
    deliveries: file_rows.FilePart
    evidence: list[file_rows.Fields]


def _load_case(db_session: Session, user: User, case_id: int) -> Case:
    query = (
        select(Case)
        .where(Case.id == case_id, access.case_visible(user, Case.id))
        .options(selectinload(Case.court), selectinload(Case.documents))
    )
    case = db_session.scalar(query)
    if case is None:
        raise NotVisible("案件")
    return case


def case_file(
    *, db_session: Session, user: User, case_id: int, page: CaseFilePage | None = None
) -> CaseFileContent:
    """Everything on file for a case in the caller's scope (its parties and deliveries a page at a time),
    or NotVisible."""
    page = page or CaseFilePage()
    case = _load_case(db_session, user, case_id)
    return CaseFileContent(
        case=case,
        parties=file_rows.parties(db_session, case_id, page.parties_after, page.parties_limit),
        deliveries=file_rows.deliveries(db_session, case, page.deliveries_after, page.deliveries_limit),
        evidence=file_rows.evidence(db_session, case_id),
    )
