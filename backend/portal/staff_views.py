"""Staff's side of the portal (/api/paper-requests): the paper copies parties asked for after service,
listed for clerks (their court), supervisors and admins, and marked handled once the copies are out."""

from typing import Annotated

from fastapi import Query, Request

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.roles import STAFF_ROLES, Role
from backend.core.http import service_errors
from backend.database import SessionDep, utcnow
from backend.portal import paper_requests
from backend.portal.flows import PAPER_WAYS
from backend.portal.schemas import PaperHandledBody, PaperRequestRead

router = secured_router(prefix="/api/paper-requests", tags=["纸质文书申请"], roles={Role.clerk, *STAFF_ROLES})


def _read(line: paper_requests.PaperRequestLine) -> PaperRequestRead:
    request = line.request
    return PaperRequestRead(
        id=request.id,
        case_id=line.case_id,
        case_number=line.case_number,
        party_name=line.party_name,
        delivery_id=request.delivery_id,
        way=request.way,
        way_label=PAPER_WAYS.get(request.way, request.way),
        postal_address=request.postal_address,
        requested_at=request.requested_at,
        planned_attempt_id=request.planned_attempt_id,
        handled_at=request.handled_at,
        handled_by=line.handled_by,
        handled_note=request.handled_note,
    )


@router.get("")
def list_paper_requests(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    waiting: Annotated[bool, Query(description="只列出尚未处理、也未转为送达尝试的申请")] = True,
) -> list[PaperRequestRead]:
    """Paper requests in the caller's cases, oldest first (the postal address is personal data: audited)."""
    lines = paper_requests.list_requests(db_session=db_session, user=user, waiting_only=waiting)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="paper_requests_read",
        object_type="paper_request",
        detail={"waiting": waiting, "count": len(lines)},
    )
    return [_read(line) for line in lines]


@router.post("/{request_id}/handled")
def mark_handled(
    request_id: int, body: PaperHandledBody, request: Request, user: CurrentUser, db_session: SessionDep
) -> PaperRequestRead:
    """The copies were posted or handed over; marking twice keeps the first mark."""
    with service_errors():
        line = paper_requests.mark_handled(
            db_session=db_session,
            user=user,
            request_id=request_id,
            note=body.note,
            client_ip=client_ip(request),
            now=utcnow(),
        )
    db_session.commit()
    return _read(line)
