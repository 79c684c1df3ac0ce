"""The supervisors' deliveries board (/api/board): the people work can go to, assigning many deliveries in
one transaction, and the filtered list as an Excel workbook. The list itself is GET /api/deliveries."""

from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.access import WORKER_ROLES
from backend.core.clock import court_today
from backend.core.http import service_errors
from backend.database import SessionDep
from backend.deliveries import bulk, export
from backend.deliveries.schemas import DeliveryFilters

board_router = secured_router(prefix="/api/board", tags=["送达看板"], roles={Role.admin, Role.supervisor})


class AssigneeRead(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    agent_group: str | None


class BulkAssign(BaseModel):
    delivery_ids: list[int] = Field(min_length=1, max_length=bulk.MAX_BULK)
    assignee_user_id: int | None = Field(description="服务专员或外出送达人员；null 表示取消分配")
    agent_group: str | None = Field(default=None, max_length=50)


class BulkAssignResult(BaseModel):
    assigned: list[int] = Field(description="本次改为该承办人的任务")
    unchanged: list[int] = Field(description="原已分配给该承办人的任务（重试时不重复记录）")
    assignee_user_id: int | None


@board_router.get("/assignees", response_model=list[AssigneeRead])
def assignees(db_session: SessionDep) -> list[User]:
    """The active agents and field officers, by group and name: whom deliveries can be given to."""
    query = (
        select(User)
        .where(User.is_active, User.role.in_(WORKER_ROLES))
        .order_by(User.agent_group.asc().nulls_last(), User.full_name, User.id)
    )
    return list(db_session.scalars(query))


@board_router.post("/assign", response_model=BulkAssignResult)
def assign_many(
    body: BulkAssign,
    user: CurrentUser,
    db_session: SessionDep,
) -> BulkAssignResult:
    """Give every listed delivery to one person, or none of them (404/409 naming the ones refused).
    Repeating the request changes nothing and reports them unchanged."""
    with service_errors():
        result = bulk.assign_many(db_session=db_session, actor=user, **body.model_dump())
    return BulkAssignResult(
        assigned=result.assigned, unchanged=result.unchanged, assignee_user_id=body.assignee_user_id
    )


@board_router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {export.XLSX_TYPE: {}}, "description": "Excel 工作簿"}},
)
def export_deliveries(
    filters: Annotated[DeliveryFilters, Query()], request: Request, user: CurrentUser, db_session: SessionDep
) -> StreamingResponse:
    """The deliveries matching the board's filters (all pages, at most 100,000 rows) as an .xlsx file."""
    with service_errors():
        spool, count = export.spooled_workbook(db_session=db_session, user=user, filters=filters)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="delivery_export",
        object_type="delivery",
        detail={"rows": count, "filters": filters.model_dump(mode="json", exclude_none=True)},
    )
    name = f"deliveries-{court_today().isoformat()}.xlsx"
    filename = f"送达任务-{court_today().isoformat()}.xlsx"
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(filename)}"
    return StreamingResponse(
        export.chunks(spool), media_type=export.XLSX_TYPE, headers={"Content-Disposition": disposition}
    )
