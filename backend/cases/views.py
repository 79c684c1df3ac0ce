"""Case lists, one case, and the case file view (卷宗), each within the caller's scope."""

from typing import Annotated

from fastapi import Query, Request

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.roles import ALL_ROLES
from backend.cases import access
from backend.cases import service as case_service
from backend.cases.models import Case
from backend.cases.schemas import (
    AttemptFactRead,
    CaseFile,
    CaseFileAttempt,
    CaseFileDelivery,
    CaseFilePage,
    CaseFilters,
    CaseRead,
    EvidenceRead,
)
from backend.core.http import service_errors
from backend.core.pagination import Page
from backend.database import SessionDep
from backend.deliveries.channels import installed_channels
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.schemas import AttemptRead, DeliveryRead
from backend.documents.schemas import DocumentRead
from backend.parties.schemas import PartyDetail

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


def _evidence_read(content: case_service.CaseFileContent) -> list[EvidenceRead]:
    return [
        EvidenceRead.model_validate(item).model_copy(
            update={
                "attempt_ids": content.evidence_attempts.get(item.id, []),
                "created_by_username": content.evidence_creators.get(item.created_by_user_id or 0),
            }
        )
        for item in content.evidence
    ]


def _fact_labels() -> dict[tuple[DeliveryMethod, str], str]:
    """(method, fact key) -> the label its channel gives the fact."""
    labels: dict[tuple[DeliveryMethod, str], str] = {}
    for method, channel in installed_channels().items():
        required = [fact for facts in channel.facts_by_outcome.values() for fact in facts]
        for fact in [*required, *channel.stated_if_recorded]:
            labels.setdefault((method, fact.key), fact.label)
    return labels


def _attempt(attempt: DeliveryAttempt, labels: dict[tuple[DeliveryMethod, str], str]) -> CaseFileAttempt:
    facts = [
        AttemptFactRead(
            key=fact.key,
            label=labels.get((attempt.method, fact.key), fact.key),
            value=fact.value,
            evidence_id=fact.evidence_id,
            recorded_at=fact.recorded_at,
        )
        for fact in attempt.facts
    ]
    own = {name: getattr(attempt, name) for name in AttemptRead.model_fields}
    return CaseFileAttempt.model_validate(own | {"facts": facts})


def _delivery(delivery: Delivery, labels: dict[tuple[DeliveryMethod, str], str]) -> CaseFileDelivery:
    attempts = [_attempt(item, labels) for item in delivery.attempts]
    return CaseFileDelivery.model_validate(DeliveryRead._fields_of(delivery) | {"attempts": attempts})


def _case_file(content: case_service.CaseFileContent) -> CaseFile:
    case, parties, deliveries = content.case, content.parties, content.deliveries
    labels = _fact_labels()
    return CaseFile(
        case=CaseRead.model_validate(case),
        court_name=case.court.name,
        parties=[PartyDetail.model_validate(party) for party in parties.items],
        documents=[DocumentRead.model_validate(document) for document in case.documents],
        deliveries=[_delivery(delivery, labels) for delivery in deliveries.items],
        evidence=_evidence_read(content),
        parties_total=parties.total,
        parties_next=parties.next_after,
        deliveries_total=deliveries.total,
        deliveries_next=deliveries.next_after,
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
