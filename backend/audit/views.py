"""The audit log for administrators (/api/audit): who did or read what, when and from where, newest first,
by filters, paged by the last row's id. Reading it is itself audited."""

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.labels import AUDIT_ACTION_LABELS, OBJECT_TYPE_LABELS
from backend.audit.models import AuditLog
from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import BEIJING
from backend.database import SessionDep

router = secured_router(prefix="/api/audit", tags=["审计日志"], roles={Role.admin})
MAX_LIMIT = 200


class AuditFilters(BaseModel):
    actor: str | None = Field(default=None, max_length=64, description="操作人用户名（精确）")
    action: str | None = Field(default=None, max_length=64)
    object_type: str | None = Field(default=None, max_length=64)
    object_id: str | None = Field(default=None, max_length=64)
    case_id: int | None = None
    client_ip: str | None = Field(default=None, max_length=64)
    since: date | None = Field(default=None, description="起始日期（北京时间，含）")
    until: date | None = Field(default=None, description="截止日期（北京时间，含）")
    before_id: int | None = Field(default=None, description="翻页：上一页的 next_before_id")
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class AuditRow(BaseModel):
    id: int
    at: datetime
    actor_user_id: int | None
    actor_username: str | None
    action: str
    action_label: str
    object_type: str | None
    object_type_label: str | None
    object_id: str | None
    case_id: int | None
    client_ip: str | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditRow]
    next_before_id: int | None = Field(description="下一页（更早的记录）；没有更多时为空")


class ActionLabel(BaseModel):
    action: str
    label: str


def _court_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BEIJING)


def _actor_condition(db_session: Session, username: str) -> Any:
    """By the user's id (indexed) when the name is a user's, else by the name tried (a failed login)."""
    user_id = db_session.scalar(select(User.id).where(User.username == username))
    return AuditLog.actor_user_id == user_id if user_id is not None else AuditLog.actor_username == username


def _conditions(db_session: Session, filters: AuditFilters) -> list[Any]:
    equal_to = {
        AuditLog.action: filters.action,
        AuditLog.object_type: filters.object_type,
        AuditLog.object_id: filters.object_id,
        AuditLog.case_id: filters.case_id,
        AuditLog.client_ip: filters.client_ip,
    }
    conditions = [column == value for column, value in equal_to.items() if value not in (None, "")]
    if filters.actor:
        conditions.append(_actor_condition(db_session, filters.actor))
    if filters.since is not None:
        conditions.append(AuditLog.at >= _court_day_start(filters.since))
    if filters.until is not None:
        conditions.append(AuditLog.at < _court_day_start(filters.until + timedelta(days=1)))
    if filters.before_id is not None:
        conditions.append(AuditLog.id < filters.before_id)
    return conditions


def _row(entry: AuditLog) -> AuditRow:
    object_type = entry.object_type
    return AuditRow(
        id=entry.id,
        at=entry.at,
        actor_user_id=entry.actor_user_id,
        actor_username=entry.actor_username,
        action=entry.action,
        action_label=AUDIT_ACTION_LABELS.get(entry.action, entry.action),
        object_type=object_type,
        object_type_label=OBJECT_TYPE_LABELS.get(object_type, object_type) if object_type else None,
        object_id=entry.object_id,
        case_id=entry.case_id,
        client_ip=entry.client_ip,
        detail=entry.detail or {},
    )


@router.get("", response_model=AuditPage)
def audit_log(
    filters: Annotated[AuditFilters, Query()], request: Request, user: CurrentUser, db_session: SessionDep
) -> AuditPage:
    """Audit rows matching the filters, newest first; `before_id` pages back in time."""
    conditions = _conditions(db_session, filters)
    query = select(AuditLog).where(*conditions).order_by(AuditLog.id.desc()).limit(filters.limit)
    rows = [_row(entry) for entry in db_session.scalars(query)]
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="audit_log_read",
        object_type="audit_log",
        detail={"filters": filters.model_dump(mode="json", exclude_none=True), "rows": len(rows)},
    )
    full = len(rows) == filters.limit
    return AuditPage(items=rows, next_before_id=rows[-1].id if rows and full else None)


@router.get("/actions", response_model=list[ActionLabel])
def audit_actions() -> list[ActionLabel]:
    """The actions the log records, with their Chinese names (for the filter)."""
    return [ActionLabel(action=action, label=label) for action, label in AUDIT_ACTION_LABELS.items()]
