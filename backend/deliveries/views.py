"""Deliveries and attempts: scoped reads (audited), creation, state changes and assignment."""

from typing import Annotated

from fastapi import Query, Request, status

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.roles import ALL_ROLES, Role
from backend.core.http import service_errors
from backend.core.pagination import Page
from backend.database import SessionDep
from backend.deliveries import attempts as attempt_service
from backend.deliveries import queries
from backend.deliveries import service as delivery_service
from backend.deliveries.schemas import (
    AttemptCreate,
    AttemptRead,
    AttemptTransition,
    DeliveryAssign,
    DeliveryCreate,
    DeliveryDetail,
    DeliveryFilters,
    DeliveryRead,
    DeliveryTransition,
)

read_router = secured_router(prefix="/api/deliveries", tags=["送达任务"], roles=ALL_ROLES)
create_router = secured_router(
    prefix="/api/deliveries", tags=["送达任务"], roles={Role.admin, Role.supervisor, Role.clerk}
)
work_router = secured_router(
    prefix="/api", tags=["送达任务"], roles={Role.admin, Role.supervisor, Role.agent, Role.field_officer}
)
assign_router = secured_router(
    prefix="/api/deliveries", tags=["送达任务"], roles={Role.admin, Role.supervisor}
)
routers = [read_router, create_router, work_router, assign_router]


@read_router.get("", response_model=Page[DeliveryRead])
def list_deliveries(
    filters: Annotated[DeliveryFilters, Query()], request: Request, user: CurrentUser, db_session: SessionDep
) -> Page[DeliveryRead]:
    """Deliveries in scope, nearest deadline first."""
    deliveries, total = queries.list_deliveries(db_session=db_session, user=user, filters=filters)
    items = [DeliveryRead.of(delivery) for delivery in deliveries]
    detail = {
        "delivery_ids": [item.id for item in items],
        "party_ids": sorted({item.party_id for item in items}),
        "filters": filters.model_dump(mode="json", exclude_none=True),
    }
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="delivery_list_read",
        object_type="delivery",
        detail=detail,
    )
    return Page(items=items, total=total, page=filters.page, page_size=filters.page_size)


@read_router.get("/{delivery_id}", response_model=DeliveryDetail)
def get_delivery(
    delivery_id: int, request: Request, user: CurrentUser, db_session: SessionDep
) -> DeliveryDetail:
    with service_errors():
        delivery = queries.get_delivery(db_session=db_session, user=user, delivery_id=delivery_id)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="delivery_read",
        object_type="delivery",
        object_id=delivery.id,
        case_id=delivery.case_id,
        detail={"party_id": delivery.party_id, "attempt_ids": [attempt.id for attempt in delivery.attempts]},
    )
    return DeliveryDetail.of(delivery)


@create_router.post("", response_model=DeliveryDetail, status_code=status.HTTP_201_CREATED)
def create_delivery(body: DeliveryCreate, user: CurrentUser, db_session: SessionDep) -> DeliveryDetail:
    with service_errors():
        delivery = delivery_service.create_delivery(db_session=db_session, actor=user, **body.model_dump())
    return DeliveryDetail.of(delivery)


@work_router.post("/deliveries/{delivery_id}/transition", response_model=DeliveryDetail)
def transition_delivery(
    delivery_id: int, body: DeliveryTransition, user: CurrentUser, db_session: SessionDep
) -> DeliveryDetail:
    """Change a delivery's status; 409 with the reason when the state machine refuses."""
    with service_errors():
        delivery = queries.get_own_delivery(db_session=db_session, user=user, delivery_id=delivery_id)
        delivery_service.transition_delivery(
            db_session=db_session, actor=user, delivery=delivery, status=body.status
        )
    return DeliveryDetail.of(delivery)


@work_router.post(
    "/deliveries/{delivery_id}/attempts", response_model=AttemptRead, status_code=status.HTTP_201_CREATED
)
def add_attempt(
    delivery_id: int, body: AttemptCreate, user: CurrentUser, db_session: SessionDep
) -> AttemptRead:
    with service_errors():
        delivery = queries.get_own_delivery(db_session=db_session, user=user, delivery_id=delivery_id)
        attempt = attempt_service.add_attempt(
            db_session=db_session, actor=user, delivery=delivery, **body.model_dump()
        )
    return AttemptRead.model_validate(attempt)


@work_router.post("/attempts/{attempt_id}/transition", response_model=AttemptRead)
def transition_attempt(
    attempt_id: int, body: AttemptTransition, user: CurrentUser, db_session: SessionDep
) -> AttemptRead:
    """Start, succeed, fail or cancel an attempt; the delivery follows (in progress, served)."""
    with service_errors():
        attempt = queries.get_own_attempt(db_session=db_session, user=user, attempt_id=attempt_id)
        attempt_service.transition_attempt(
            db_session=db_session, actor=user, attempt=attempt, **body.model_dump()
        )
    return AttemptRead.model_validate(attempt)


@assign_router.post("/{delivery_id}/assign", response_model=DeliveryDetail)
def assign_delivery(
    delivery_id: int, body: DeliveryAssign, user: CurrentUser, db_session: SessionDep
) -> DeliveryDetail:
    """Give a delivery to an agent or field officer (supervisor, admin)."""
    with service_errors():
        delivery = queries.get_delivery(db_session=db_session, user=user, delivery_id=delivery_id)
        delivery_service.assign_delivery(
            db_session=db_session, actor=user, delivery=delivery, **body.model_dump()
        )
    return DeliveryDetail.of(delivery)
