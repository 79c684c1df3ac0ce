"""Audit trail: one row per login, change, and read of personal data or evidence."""

from typing import Any

from sqlalchemy.orm import Session

from backend.audit.models import AuditLog
from backend.auth.models import User


def record(
    *,
    db_session: Session,
    actor: User | None,
    action: str,
    object_type: str | None = None,
    object_id: int | str | None = None,
    case_id: int | None = None,
    client_ip: str | None = None,
    detail: dict[str, Any] | None = None,
    actor_username: str | None = None,
) -> AuditLog:
    """Append an audit row in the caller's transaction."""
    entry = AuditLog(
        actor_user_id=actor.id if actor else None,
        actor_username=actor.username if actor else actor_username,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        case_id=case_id,
        client_ip=client_ip,
        detail=detail or {},
    )
    db_session.add(entry)
    return entry
