"""Paper copies a party asked for in the portal, as staff see them. A request made while the delivery was
open became a postal or pickup attempt (portal.flows.request_paper); one made after service took up no
attempt, so it waits here until a clerk has sent or handed over the copies and marks it handled."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.models import User
from backend.cases import access
from backend.cases.models import Case
from backend.core.errors import NotVisible
from backend.deliveries.models import Delivery
from backend.parties.models import Party
from backend.portal.models import PaperRequest

LIST_LIMIT = 500


@dataclass(frozen=True)
class PaperRequestLine:
    request: PaperRequest
    case_id: int
    case_number: str
    party_name: str
    handled_by: str | None


def _lines() -> Select[PaperRequest, int, str, str, str | None]:
    handler = select(User.full_name).where(User.id == PaperRequest.handled_by_user_id).scalar_subquery()
    return (
        select(PaperRequest, Case.id, Case.case_number, Party.name, handler)
        .join(Delivery, Delivery.id == PaperRequest.delivery_id)
        .join(Case, Case.id == Delivery.case_id)
        .join(Party, Party.id == Delivery.party_id)
    )


def list_requests(*, db_session: Session, user: User, waiting_only: bool) -> list[PaperRequestLine]:
    """The paper requests in USER's cases, oldest first; WAITING_ONLY: those no attempt took up and no
    one has handled yet."""
    query = _lines().where(access.case_visible(user, Delivery.case_id))
    if waiting_only:
        query = query.where(PaperRequest.planned_attempt_id.is_(None), PaperRequest.handled_at.is_(None))
    rows = db_session.execute(query.order_by(PaperRequest.requested_at, PaperRequest.id).limit(LIST_LIMIT))
    return [_line(row) for row in rows]


def _line(row: Row[PaperRequest, int, str, str, str | None]) -> PaperRequestLine:
    request, case_id, case_number, party_name, handled_by = row
    return PaperRequestLine(request, case_id, case_number, party_name, handled_by)


def mark_handled(
    *, db_session: Session, user: User, request_id: int, note: str, client_ip: str | None, now: datetime
) -> PaperRequestLine:
    """USER sent or handed over the copies of REQUEST_ID (once: a repeated mark changes nothing)."""
    row = db_session.execute(
        _lines().where(PaperRequest.id == request_id, access.case_visible(user, Delivery.case_id))
    ).one_or_none()
    if row is None:
        raise NotVisible("纸质文书申请")
    line = _line(row)
    request = line.request
    if request.handled_at is not None:
        return line
    request.handled_at = now
    request.handled_by_user_id = user.id
    request.handled_note = note.strip() or None
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="paper_request_handled",
        object_type="paper_request",
        object_id=request.id,
        case_id=line.case_id,
        client_ip=client_ip,
        detail={"way": request.way, "note": request.handled_note},
    )
    db_session.flush()
    return PaperRequestLine(request, line.case_id, line.case_number, line.party_name, user.full_name)
