"""The audit of reads: every view that shows personal data, documents or evidence records one row."""

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.dependencies import client_ip
from backend.auth.models import User


def audit_read(
    *,
    db_session: Session,
    user: User,
    request: Request,
    action: str,
    object_type: str,
    object_id: int | None = None,
    case_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record one read of personal data or evidence in the request's transaction."""
    audit_service.record(
        db_session=db_session,
        actor=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        client_ip=client_ip(request),
        detail=detail,
    )
