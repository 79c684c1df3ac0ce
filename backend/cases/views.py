"""Case lists, one case, and the case file view (卷宗), each within the caller's scope."""

from typing import Annotated

from fastapi import Query, Request

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.roles import ALL_ROLES
from backend.cases import access
from backend.cases import service as case_service
from backend.cases.models import Case
from backend.cases.schemas import CaseFile, CaseFilePage, CaseFilters, CaseRead
from backend.core.http import service_errors
from backend.core.pagination import Page
from backend.database import SessionDep
from backend.documents.schemas import DocumentRead

router = secured_router(prefix="/api/cases", tags=["案件"], roles=ALL_ROLES)


@router.get("", response_model=Page[CaseRead])
def list_cases(
    filters: Annotated[CaseFilters, Query()], user: CurrentUser, db_session: SessionDep
) -> Page[CaseRead]:
    cases, total = case_service.list_cases(db_session=db_session, user=user, filters=filters)
    items = [CaseRead.model_validate(case) for case in cases]
    return Page(items=items, total=total, page=filters.page, page_size=filters.page_size)


@router.get("/{case_id}", response_model=CaseRead)
def get_case(case_id: int, user: CurrentUser, db_session: SessionDep) -> Case:
    with service_errors():
        return access.visible_case(db_session=db_session, user=user, case_id=case_id)


def _case_file(content: case_service.CaseFileContent) -> CaseFile:
    """The file validated once, whole: its rows come as dicts (a large case has thousands)."""
    case, parties, deliveries = content.case, content.parties, content.deliveries
    return CaseFile.model_validate(
        {
            "case": CaseRead.model_validate(case),
            "court_name": case.court.name,
            "parties": parties.items,
            "documents": [DocumentRead.model_validate(document) for document in case.documents],
            "deliveries": deliveries.items,
            "evidence": content.evidence,
            "parties_total": parties.total,
            "parties_next": parties.next_after,
            "deliveries_total": deliveries.total,
            "deliveries_next": deliveries.next_after,
        }
    )


@router.get("/{case_id}/file", response_model=CaseFile)
def get_case_file(
    case_id: int,
    page: Annotated[CaseFilePage, Query()],
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
) -> CaseFile:
    """The case with its parties and contact history, documents, deliveries, attempts and evidence;
    parties and deliveries a page at a time (50 by default: a mass case's page asks for more)."""
    with service_errors():
        content = case_service.case_file(db_session=db_session, user=user, case_id=case_id, page=page)
    case_file = _case_file(content)
    detail = {
        "party_ids": [party.id for party in case_file.parties],
        "document_ids": [document.id for document in case_file.documents],
        "delivery_ids": [delivery.id for delivery in case_file.deliveries],
        "evidence_ids": [item.id for item in case_file.evidence],
    }
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="case_file_read",
        object_type="case",
        object_id=case_id,
        case_id=case_id,
        detail=detail,
    )
    return case_file
