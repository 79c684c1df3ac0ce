"""Reading parties in the caller's scope: lists with filters, and one party with its contact history."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from backend.auth.models import User
from backend.cases import access
from backend.cases.service import contains_text
from backend.core.pagination import fetch_page
from backend.parties.models import ContactPoint, Party
from backend.parties.schemas import PartyFilters


def _party_conditions(filters: PartyFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.case_id is not None:
        conditions.append(Party.case_id == filters.case_id)
    if filters.name:
        conditions.append(contains_text(Party.name, filters.name))
    if filters.party_type is not None:
        conditions.append(Party.party_type == filters.party_type)
    if filters.litigation_role is not None:
        conditions.append(Party.litigation_role == filters.litigation_role)
    if filters.id_number:
        conditions.append(Party.id_number == filters.id_number.strip().upper())
    return conditions


def party_query(*, user: User, filters: PartyFilters) -> Select[Any]:
    """Parties in the caller's scope matching FILTERS, by case then party."""
    return (
        select(Party)
        .where(access.case_visible(user, Party.case_id), *_party_conditions(filters))
        .order_by(Party.case_id.desc(), Party.id)
    )


def list_parties(*, db_session: Session, user: User, filters: PartyFilters) -> tuple[list[Party], int]:
    query = party_query(user=user, filters=filters)
    return fetch_page(db_session=db_session, query=query, params=filters)


def get_party(*, db_session: Session, user: User, party_id: int) -> Party:
    """One party in the caller's scope with its contact points and their history, else NotVisible."""
    query = (
        select(Party)
        .where(Party.id == party_id, access.case_visible(user, Party.case_id))
        .options(selectinload(Party.contact_points).selectinload(ContactPoint.history))
    )
    party = db_session.scalar(query)
    if party is None:
        raise access.NotVisible("当事人")
    return party
