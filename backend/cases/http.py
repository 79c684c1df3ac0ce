"""What every case-scoped view shares: service errors as HTTP statuses, and the audit of reads."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException, Request, status
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.dependencies import client_ip
from backend.auth.models import User
from backend.cases.errors import InvalidRequest, NotPermitted, NotVisible, RuleViolation
from backend.deliveries.state import IllegalTransition


@contextmanager
def service_errors() -> Iterator[None]:
    """Translate the service layer's exceptions into HTTP errors with their Chinese message."""
    try:
        yield
    except NotVisible as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except (IllegalTransition, RuleViolation) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except NotPermitted as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except InvalidRequest as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


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
