"""Evidence API: list a case's items, stream one (with Range), verify a case's chain; reads are audited."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.models import User
from backend.auth.roles import ALL_ROLES, Role
from backend.cases.access import can_see_case
from backend.cases.models import Case
from backend.database import SessionDep
from backend.evidence import byte_ranges, media_links, service, storage
from backend.evidence.models import Evidence
from backend.evidence.schemas import EvidenceRead, MediaLinkRead, ProblemRead, VerificationRead
from backend.evidence.verification import verify_case_chain

evidence_router = secured_router(prefix="/api/evidence", tags=["证据"], roles=ALL_ROLES)
case_evidence_router = secured_router(prefix="/api/cases", tags=["证据"], roles=ALL_ROLES)
# The signed link is its own authentication (media_links): an <audio> element cannot send a bearer header.
media_router = APIRouter(prefix="/api/evidence", tags=["证据"])
verify_router = secured_router(
    prefix="/api/cases", tags=["证据"], roles={Role.admin, Role.supervisor, Role.clerk}
)

NOT_FOUND = {"detail": "证据不存在"}


def _audit(db_session: Session, request: Request, user: User, action: str, **fields: Any) -> None:
    audit_service.record(
        db_session=db_session, actor=user, action=action, client_ip=client_ip(request), **fields
    )


def _audit_read(db_session: Session, request: Request, user: User, item: Evidence, **detail: Any) -> None:
    _audit(
        db_session,
        request,
        user,
        "evidence_read",
        object_type="evidence",
        object_id=item.id,
        case_id=item.case_id,
        detail=detail,
    )


def _readable_case(db_session: Session, user: User, case_id: int) -> Case | None:
    if not can_see_case(db_session=db_session, user=user, case_id=case_id):
        return None
    return db_session.get(Case, case_id)


def _readable_item(db_session: Session, user: User, evidence_id: int) -> Evidence | None:
    item = service.get_evidence(db_session=db_session, evidence_id=evidence_id)
    return item if item and _readable_case(db_session, user, item.case_id) else None


def _denied(db_session: Session, request: Request, user: User, evidence_id: int) -> JSONResponse:
    # Returned, not raised, so that the audit row is committed; 404 hides whether the item exists.
    _audit(db_session, request, user, "evidence_access_denied", object_type="evidence", object_id=evidence_id)
    return JSONResponse(NOT_FOUND, status_code=status.HTTP_404_NOT_FOUND)


def _content_headers(item: Evidence, byte_range: byte_ranges.ByteRange | None, size: int) -> dict[str, str]:
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{item.sha256}"',
        "Content-Length": str(byte_range.length if byte_range else size),
        "Cache-Control": "private, no-store",
    }
    if byte_range is not None:
        headers["Content-Range"] = byte_range.content_range
    return headers


def _requested_range(
    range_header: str | None, if_range: str | None, item: Evidence, size: int
) -> byte_ranges.ByteRange | None:
    if if_range is not None and if_range.strip() != f'"{item.sha256}"':
        return None  # the client's copy is stale: send the whole file
    return byte_ranges.parse_range(range_header, size)


@evidence_router.get(
    "/{evidence_id}/content",
    responses={206: {"description": "部分内容"}, 404: {"description": "无此证据或无权查看"}, 416: {}},
)
def evidence_content(
    evidence_id: int,
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
    if_range: Annotated[str | None, Header(alias="If-Range")] = None,
) -> Response:
    """Stream an evidence file; supports one byte range per request (audio seeking)."""
    item = _readable_item(db_session, user, evidence_id)
    if item is None:
        return _denied(db_session, request, user, evidence_id)
    return _serve(db_session, request, user, item, range_header, if_range)


def _serve(
    db_session: Session,
    request: Request,
    user: User,
    item: Evidence,
    range_header: str | None,
    if_range: str | None,
    **detail: Any,
) -> Response:
    path = storage.absolute_path(item.file_path)
    if not path.is_file():
        _audit_read(db_session, request, user, item, range=range_header, status=404, error="file_missing")
        return JSONResponse({"detail": "证据文件缺失，请进行证据核验"}, status_code=404)
    size = path.stat().st_size
    try:
        byte_range = _requested_range(range_header, if_range, item, size)
    except byte_ranges.RangeNotSatisfiable:
        _audit_read(db_session, request, user, item, range=range_header, status=416, **detail)
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    served = byte_range.content_range if byte_range else f"bytes 0-{size - 1}/{size}"
    status_code = 206 if byte_range else 200
    _audit_read(
        db_session, request, user, item, range=range_header, served=served, status=status_code, **detail
    )
    first, length = (byte_range.first, byte_range.length) if byte_range else (0, size)
    return StreamingResponse(
        byte_ranges.read_chunks(path, first, length),
        status_code=status_code,
        media_type=item.content_type or "application/octet-stream",
        headers=_content_headers(item, byte_range, size),
    )


@evidence_router.post("/{evidence_id}/media-link", response_model=MediaLinkRead)
def media_link(evidence_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    """A signed link to this evidence file for the caller, valid 30 minutes, for the page's audio player
    (which seeks by Range requests and cannot send the bearer token). Issuing it is audited."""
    item = _readable_item(db_session, user, evidence_id)
    if item is None:
        return _denied(db_session, request, user, evidence_id)
    token, expires_at = media_links.media_token(evidence_id=item.id, user_id=user.id)
    _audit(
        db_session,
        request,
        user,
        "evidence_link_issued",
        object_type="evidence",
        object_id=item.id,
        case_id=item.case_id,
        detail={"expires_at": expires_at.isoformat()},
    )
    return MediaLinkRead(url=f"/api/evidence/media/{token}", expires_at=expires_at)


@media_router.get(
    "/media/{token}",
    responses={206: {"description": "部分内容"}, 404: {"description": "链接无效、已过期或无权查看"}, 416: {}},
)
def evidence_media(
    token: str,
    request: Request,
    db_session: SessionDep,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
    if_range: Annotated[str | None, Header(alias="If-Range")] = None,
) -> Response:
    """Stream an evidence file through a signed link (see media-link), with Range; audited as its user's
    read. The link stops working when it expires, the user is disabled or no longer sees the case."""
    grant = media_links.read_token(token)
    user = db_session.get(User, grant.user_id) if grant else None
    if grant is None or user is None or not user.is_active:
        audit_service.record(
            db_session=db_session,
            actor=None,
            actor_username="signed-link",
            action="evidence_link_refused",
            client_ip=client_ip(request),
            detail={"evidence_id": grant.evidence_id if grant else None},
        )
        return JSONResponse({"detail": "链接无效或已过期，请刷新页面"}, status_code=status.HTTP_404_NOT_FOUND)
    item = _readable_item(db_session, user, grant.evidence_id)
    if item is None:
        return _denied(db_session, request, user, grant.evidence_id)
    return _serve(db_session, request, user, item, range_header, if_range, via="signed_link")


@case_evidence_router.get("/{case_id}/evidence", response_model=list[EvidenceRead])
def list_case_evidence(case_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    """The evidence items of a case, oldest first."""
    if _readable_case(db_session, user, case_id) is None:
        return JSONResponse({"detail": "案件不存在"}, status_code=404)
    _audit(
        db_session, request, user, "evidence_listed", object_type="case", object_id=case_id, case_id=case_id
    )
    return service.case_evidence(db_session=db_session, case_id=case_id)


@verify_router.get("/{case_id}/evidence/verify", response_model=VerificationRead)
def verify_case_evidence(case_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    """Recompute the case's evidence chain and re-hash its files."""
    case = _readable_case(db_session, user, case_id)
    if case is None:
        return JSONResponse({"detail": "案件不存在"}, status_code=404)
    report = verify_case_chain(db_session=db_session, case_id=case_id)
    detail = {"intact": report.intact, "problems": len(report.problems)}
    _audit(
        db_session,
        request,
        user,
        "evidence_verified",
        object_type="case",
        object_id=case_id,
        case_id=case_id,
        detail=detail,
    )
    return VerificationRead(
        case_id=case_id,
        case_number=case.case_number,
        intact=report.intact,
        entries_checked=report.entries_checked,
        files_checked=report.files_checked,
        head_seq=report.head_seq,
        head_hash=report.head_hash,
        problems=[ProblemRead.model_validate(problem) for problem in report.problems],
    )
