"""Parties: personal data, so every read is audited with the ids it returned."""

from typing import Annotated

from fastapi import Query, Request

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.roles import ALL_ROLES
from backend.core.http import service_errors
from backend.core.pagination import Page
from backend.database import SessionDep
from backend.parties import service as party_service
from backend.parties.models import Party
from backend.parties.schemas import PartyDetail, PartyFilters, PartyRead

router = secured_router(prefix="/api/parties", tags=["当事人"], roles=ALL_ROLES)


@router.get("", response_model=Page[PartyRead])
def list_parties(
    filters: Annotated[PartyFilters, Query()], request: Request, user: CurrentUser, db_session: SessionDep
) -> Page[PartyRead]:
    parties, total = party_service.list_parties(db_session=db_session, user=user, filters=filters)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="party_list_read",
        object_type="party",
        detail={
            "party_ids": [party.id for party in parties],
            "filters": filters.model_dump(mode="json", exclude_none=True),
        },
    )
    items = [PartyRead.model_validate(party) for party in parties]
    return Page(items=items, total=total, page=filters.page, page_size=filters.page_size)


@router.get("/{party_id}", response_model=PartyDetail)
def get_party(party_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> Party:
    with service_errors():
        party = party_service.get_party(db_session=db_session, user=user, party_id=party_id)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="party_read",
        object_type="party",
        object_id=party.id,
        case_id=party.case_id,
    )
    return party
