"""Deliveries and attempts: scoped reads (audited), creation, state changes and assignment."""

from typing import Annotated

from fastapi import Query, Request, status

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.roles import ALL_ROLES, Role
from backend.core.http import service_errors
from backend.database import SessionDep, utcnow
from backend.deliveries import attempts as attempt_service
from backend.deliveries import facts as fact_service
from backend.deliveries import planning, queries, serving
from backend.deliveries import service as delivery_service
from backend.deliveries.board_views import board_router
from backend.deliveries.enums import AttemptOutcome, AttemptStatus
from backend.deliveries.schemas import (
    AttemptCreate,
    AttemptFactsRead,
    AttemptRead,
    AttemptServe,
    AttemptTransition,
    DeliveryAssign,
    DeliveryCreate,
    DeliveryDetail,
    DeliveryFilters,
    DeliveryPage,
    DeliveryRead,
    DeliveryTransition,
    FactRead,
    RouterAlertRead,
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
attempt_read_router = secured_router(prefix="/api/attempts", tags=["送达任务"], roles=ALL_ROLES)
alert_router = secured_router(prefix="/api/router", tags=["送达任务"], roles={Role.admin, Role.supervisor})
routers = [
    read_router,
    attempt_read_router,
    create_router,
    work_router,
    assign_router,
    alert_router,
    board_router,
]


@read_router.get("", response_model=DeliveryPage)
def list_deliveries(
    filters: Annotated[DeliveryFilters, Query()], request: Request, user: CurrentUser, db_session: SessionDep
) -> DeliveryPage:
    """Deliveries in scope, nearest deadline first; by page number or, deep in a long list, by cursor."""
    with service_errors():
        deliveries, total, cursor = queries.list_deliveries(db_session=db_session, user=user, filters=filters)
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
    return DeliveryPage(
        items=items,
        total=total,
        total_exact=total is None or total <= queries.COUNT_LIMIT,
        page=filters.page,
        page_size=filters.page_size,
        next_cursor=cursor,
    )


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
        planning.plan_first(db_session=db_session, actor=user, delivery=delivery, now=utcnow())
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
    """Start, fail or cancel an attempt (a failure plans the next method); success only through /serve."""
    with service_errors():
        attempt = queries.get_own_attempt(db_session=db_session, user=user, attempt_id=attempt_id)
        if body.status is AttemptStatus.failed:
            planning.fail_and_plan_next(
                db_session=db_session,
                actor=user,
                attempt=attempt,
                outcome=body.outcome,
                now=utcnow(),
                notes=body.notes,
            )
        else:
            attempt_service.transition_attempt(
                db_session=db_session, actor=user, attempt=attempt, **body.model_dump()
            )
    return AttemptRead.model_validate(attempt)


@work_router.post("/attempts/{attempt_id}/serve", response_model=AttemptRead)
def serve_attempt(
    attempt_id: int, body: AttemptServe, user: CurrentUser, db_session: SessionDep
) -> AttemptRead:
    """Declare the attempt served through its channel; 409 naming each required fact still missing."""
    with service_errors():
        attempt = queries.get_own_attempt(db_session=db_session, user=user, attempt_id=attempt_id)
        serving.serve_attempt(db_session=db_session, actor=user, attempt=attempt, outcome=body.outcome)
    return AttemptRead.model_validate(attempt)


@attempt_read_router.get("/{attempt_id}/facts", response_model=AttemptFactsRead)
def attempt_facts(
    attempt_id: int,
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    outcome: AttemptOutcome = AttemptOutcome.served,
) -> AttemptFactsRead:
    """The facts OUTCOME requires of the attempt: recorded ones with their evidence, and what is missing."""
    with service_errors():
        attempt = queries.get_attempt(db_session=db_session, user=user, attempt_id=attempt_id)
        sheet = fact_service.fact_sheet(db_session=db_session, attempt=attempt, outcome=outcome)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="attempt_facts_read",
        object_type="delivery_attempt",
        object_id=attempt.id,
        case_id=attempt.delivery.case_id,
    )
    facts = [
        FactRead(
            key=row.key if row else required.key,
            label=required.label,
            value=row.value if row else None,
            evidence_id=row.evidence_id if row else None,
            recorded_at=row.recorded_at if row else None,
        )
        for required, row in sheet
    ]
    missing = [required.label for required, row in sheet if row is None]
    return AttemptFactsRead(
        attempt_id=attempt.id,
        method=attempt.method,
        outcome=outcome,
        complete=not missing,
        facts=facts,
        missing=missing,
    )


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


@alert_router.get("/alerts", response_model=list[RouterAlertRead])
def router_alerts(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    open_only: Annotated[bool, Query(alias="open", description="只看未解除的告警")] = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RouterAlertRead]:
    """Start-bys that passed unmet (失败后 24 小时内须转其他方式), newest first."""
    alerts = queries.router_alerts(db_session=db_session, open_only=open_only, limit=limit)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="router_alerts_read",
        object_type="router_alert",
        detail={"delivery_ids": [alert["delivery_id"] for alert in alerts]},
    )
    return [RouterAlertRead.model_validate(alert) for alert in alerts]
