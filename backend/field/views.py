"""Field delivery over HTTP: supervisors see open field attempts, assign them and plan officers' days
(/api/field, staff); an officer sees only their own route and records visits from the phone."""

from datetime import date
from typing import Annotated, Any

from fastapi import File, Form, Header, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.models import User
from backend.auth.roles import STAFF_ROLES, Role
from backend.config import get_settings
from backend.core.clock import court_today
from backend.core.errors import InvalidRequest, NotPermitted, NotVisible
from backend.core.http import service_errors
from backend.database import SessionDep, utcnow
from backend.deliveries.enums import METHOD_LABELS, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt
from backend.field import flows, hours, service, stats, uploads
from backend.field.coords import Point
from backend.field.media import MediaPurpose
from backend.field.models import FieldAssignment
from backend.field.schemas import (
    AssignRequest,
    CheckInRequest,
    DayFiguresRead,
    DayRouteRead,
    FieldSettingsRead,
    MediaRead,
    MileageRead,
    OfficerDayRead,
    OfficerDaySet,
    OfficerRead,
    OutcomeRead,
    OutcomeRequest,
    PlanDayRequest,
    PlanRouteRequest,
    RouteRead,
    SignedRead,
    SignRequest,
    StartPoint,
    StopRead,
    TrackRequest,
    UploadCreate,
    UploadRead,
    VisitWindowSet,
)
from backend.signatures.schemas import SignatureCapture

staff_router = secured_router(prefix="/api/field", tags=["外出送达"], roles=STAFF_ROLES)
field_router = secured_router(
    prefix="/api/field", tags=["外出送达"], roles={Role.field_officer, *STAFF_ROLES}
)
routers = [staff_router, field_router]


def _stop(db_session: SessionDep, attempt: DeliveryAttempt) -> StopRead:
    assignment = service.assignment_of(db_session=db_session, attempt_id=attempt.id)
    window = hours.windows_of(db_session=db_session, attempt_ids=[attempt.id]).get(attempt.id)
    return StopRead.of(attempt, assignment, service.address_of(attempt), window)


def _stops(db_session: SessionDep, assignments: list[FieldAssignment]) -> list[StopRead]:
    windows = hours.windows_of(db_session=db_session, attempt_ids=[a.attempt_id for a in assignments])
    return [StopRead.of(a.attempt, a, window=windows.get(a.attempt_id)) for a in assignments]


def _audit(db_session: SessionDep, user: User, request: Request, action: str, stops: list[StopRead]) -> None:
    detail = {"attempt_ids": [stop.attempt_id for stop in stops]}
    audit_read(
        db_session=db_session, user=user, request=request, action=action, object_type="field", detail=detail
    )


def _officer_for(db_session: SessionDep, user: User, officer_id: int | None) -> User:
    """An officer acts for themselves; staff name the officer."""
    if user.role is Role.field_officer:
        if officer_id not in (None, user.id):
            raise NotPermitted("外出送达人员只能查看自己的任务")
        return user
    if officer_id is None:
        raise InvalidRequest("请选择外出送达人员")
    return service.field_officer(db_session=db_session, officer_id=officer_id)


def _month_start(month: str) -> date:
    try:
        return date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InvalidRequest(f"月份「{month}」无效，应为 YYYY-MM") from None


def _only_officer(user: User) -> None:
    if user.role is not Role.field_officer:
        raise NotPermitted("只有外出送达人员本人可以登记现场送达")


@staff_router.get("/attempts", response_model=list[StopRead])
def open_attempts(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    district: Annotated[str | None, Query(max_length=20, description="地址所在区，如 西城区")] = None,
    deadline_before: Annotated[date | None, Query(description="期限不晚于（含）")] = None,
) -> list[StopRead]:
    """Field attempts still to be made, with their assignment if any."""
    stops = [_stop(db_session, attempt) for attempt in service.open_field_attempts(db_session=db_session)]
    stops = [
        stop
        for stop in stops
        if (not district or district in stop.address)
        and (deadline_before is None or (stop.deadline is not None and stop.deadline <= deadline_before))
    ]
    _audit(db_session, user, request, "field_attempts_read", stops)
    return stops


@staff_router.get("/officers", response_model=list[OfficerRead])
def officers(db_session: SessionDep) -> list[OfficerRead]:
    return [OfficerRead.of(user) for user in service.field_officers(db_session=db_session)]


@staff_router.post("/assignments", response_model=list[StopRead])
def assign(body: AssignRequest, user: CurrentUser, db_session: SessionDep) -> list[StopRead]:
    """Give the attempts to an officer for a day."""
    gateway = service.default_gateway()
    with service_errors():
        officer = service.field_officer(db_session=db_session, officer_id=body.officer_id)
        stops = []
        for attempt_id in body.attempt_ids:
            attempt = db_session.get(DeliveryAttempt, attempt_id)
            if attempt is None:
                raise InvalidRequest(f"送达尝试 #{attempt_id} 不存在")
            service.assign(
                db_session=db_session,
                actor=user,
                attempt=attempt,
                officer=officer,
                day=body.day,
                gateway=gateway,
            )
            stops.append(_stop(db_session, attempt))
    return stops


@staff_router.post("/plan-day", response_model=list[RouteRead])
def plan_day(body: PlanDayRequest, user: CurrentUser, db_session: SessionDep) -> list[RouteRead]:
    """Share every unassigned field attempt among the officers for the day, each with a planned route."""
    start = None if body.start is None else Point(body.start.lon, body.start.lat)
    with service_errors():
        officers = [service.field_officer(db_session=db_session, officer_id=i) for i in body.officer_ids]
        routes = service.plan_day(
            db_session=db_session,
            actor=user,
            day=body.day,
            officers=officers,
            start=start,
            gateway=service.default_gateway(),
            now=utcnow(),
        )
    return [RouteRead.of(route) for route in routes]


@field_router.get("/settings", response_model=FieldSettingsRead)
def field_settings() -> FieldSettingsRead:
    settings = get_settings()
    return FieldSettingsRead(
        tile_url=settings.field_tile_url,
        start=StartPoint(lon=settings.field_start_lon, lat=settings.field_start_lat),
    )


@staff_router.put("/attempts/{attempt_id}/window", response_model=StopRead)
def set_window(attempt_id: int, body: VisitWindowSet, user: CurrentUser, db_session: SessionDep) -> StopRead:
    """When the party can be found at home (e.g. only in the afternoon); routes keep to it."""
    with service_errors():
        attempt = db_session.get(DeliveryAttempt, attempt_id)
        if attempt is None or attempt.method is not DeliveryMethod.field:
            raise NotVisible("外出送达尝试")
        hours.set_visit_window(
            db_session=db_session,
            actor=user,
            attempt=attempt,
            available_from=body.available_from,
            available_until=body.available_until,
            note=body.note,
        )
    return _stop(db_session, attempt)


def _officer_day_read(db_session: SessionDep, officer: User) -> OfficerDayRead:
    plan = hours.officer_day(db_session=db_session, officer_id=officer.id)
    return OfficerDayRead(
        officer_id=officer.id,
        start=StartPoint(lon=plan.start.lon, lat=plan.start.lat),
        start_label=plan.start_label,
        works_from=hours.clock(plan.hours.begins_s),
        works_until=hours.clock(plan.hours.ends_s),
        own=plan.own,
    )


@staff_router.get("/officers/{officer_id}/day", response_model=OfficerDayRead)
def officer_day(officer_id: int, db_session: SessionDep) -> OfficerDayRead:
    """Where the officer sets off and their working hours."""
    with service_errors():
        officer = service.field_officer(db_session=db_session, officer_id=officer_id)
    return _officer_day_read(db_session, officer)


@staff_router.put("/officers/{officer_id}/day", response_model=OfficerDayRead)
def set_officer_day(
    officer_id: int, body: OfficerDaySet, user: CurrentUser, db_session: SessionDep
) -> OfficerDayRead:
    with service_errors():
        officer = service.field_officer(db_session=db_session, officer_id=officer_id)
        hours.set_officer_day(
            db_session=db_session,
            actor=user,
            officer=officer,
            start=Point(body.start.lon, body.start.lat),
            start_label=body.start_label,
            works_from=body.works_from,
            works_until=body.works_until,
        )
    return _officer_day_read(db_session, officer)


@field_router.get("/tasks", response_model=DayRouteRead)
def day_tasks(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    day: Annotated[date | None, Query(description="日期，默认今天")] = None,
    officer_id: int | None = None,
) -> DayRouteRead:
    """An officer's visits of the day in route order, with navigation links (an officer: their own)."""
    day = day or court_today()
    with service_errors():
        officer = _officer_for(db_session, user, officer_id)
    assignments = service.day_assignments(db_session=db_session, officer_id=officer.id, day=day)
    stops = _stops(db_session, assignments)
    route = service.route_of(db_session=db_session, officer_id=officer.id, day=day)
    _audit(db_session, user, request, "field_tasks_read", stops)
    return DayRouteRead(route=RouteRead.of(route) if route else None, stops=stops)


@field_router.get("/tasks/{assignment_id}", response_model=StopRead)
def task(assignment_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> StopRead:
    with service_errors():
        assignment = service.visible_assignment(db_session=db_session, user=user, assignment_id=assignment_id)
    (stop,) = _stops(db_session, [assignment])
    _audit(db_session, user, request, "field_task_read", [stop])
    return stop


@field_router.post("/routes", response_model=DayRouteRead)
def plan_route(body: PlanRouteRequest, user: CurrentUser, db_session: SessionDep) -> DayRouteRead:
    """Plan the officer's day from the start point (default: the court) over their open visits."""
    start = None if body.start is None else Point(body.start.lon, body.start.lat)
    with service_errors():
        officer = _officer_for(db_session, user, body.officer_id)
        route = service.plan_route(
            db_session=db_session,
            officer=officer,
            day=body.day,
            start=start,
            gateway=service.default_gateway(),
            now=utcnow(),
        )
    assignments = service.day_assignments(db_session=db_session, officer_id=officer.id, day=body.day)
    return DayRouteRead(route=RouteRead.of(route), stops=_stops(db_session, assignments))


@field_router.post("/tasks/{assignment_id}/check-in", response_model=StopRead)
def check_in(assignment_id: int, body: CheckInRequest, user: CurrentUser, db_session: SessionDep) -> StopRead:
    """Arrival at the address: the phone's GPS position and accuracy; the attempt starts."""
    with service_errors():
        _only_officer(user)
        assignment = flows.own_assignment(db_session=db_session, officer=user, assignment_id=assignment_id)
        flows.check_in(
            db_session=db_session,
            officer=user,
            assignment=assignment,
            lon=body.lon,
            lat=body.lat,
            accuracy_m=body.accuracy_m,
            phone_time=body.phone_time,
            now=utcnow(),
        )
    return StopRead.of(assignment.attempt, assignment)


@field_router.post(
    "/tasks/{assignment_id}/media", response_model=MediaRead, status_code=status.HTTP_201_CREATED
)
async def upload_media(
    assignment_id: int,
    user: CurrentUser,
    db_session: SessionDep,
    file: Annotated[UploadFile, File(description="照片、视频或签名图片")],
    purpose: Annotated[MediaPurpose, Form()],
    sha256: Annotated[str | None, Form(max_length=64, description="手机拍摄时计算的 SHA-256")] = None,
) -> MediaRead:
    """A photo, video or signature from the visit, kept as evidence in the case's chain."""
    content = await file.read()
    with service_errors():
        _only_officer(user)
        assignment = flows.own_assignment(db_session=db_session, officer=user, assignment_id=assignment_id)
        evidence = flows.add_media(
            db_session=db_session,
            officer=user,
            assignment=assignment,
            purpose=purpose,
            filename=file.filename or "",
            content=content,
            claimed_sha256=sha256,
            now=utcnow(),
        )
    return MediaRead(
        evidence_id=evidence.id,
        sha256=evidence.sha256,
        size_bytes=evidence.size_bytes,
        kind=evidence.kind.value,
    )


@field_router.post("/tasks/{assignment_id}/signatures", response_model=SignedRead)
def sign(assignment_id: int, body: SignRequest, user: CurrentUser, db_session: SessionDep) -> SignedRead:
    """The recipient's or a witness's signature drawn on the officer's phone (strokes and PNG kept)."""
    with service_errors():
        _only_officer(user)
        assignment = flows.own_assignment(db_session=db_session, officer=user, assignment_id=assignment_id)
        stored = flows.sign(
            db_session=db_session,
            officer=user,
            assignment=assignment,
            purpose=MediaPurpose(body.purpose),
            signer=body.signer,
            capture=SignatureCapture(strokes=body.strokes, png_data_url=body.png_data_url),
            signed_at=body.signed_at,
        )
    return SignedRead(
        image_evidence_id=stored.image.id,
        image_sha256=stored.image.sha256,
        strokes_evidence_id=stored.strokes.id,
        points=stored.points,
    )


@field_router.post("/tasks/{assignment_id}/uploads", response_model=UploadRead)
def begin_upload(
    assignment_id: int, body: UploadCreate, user: CurrentUser, db_session: SessionDep
) -> UploadRead:
    """Declare a photo or video to send in chunks (or find it again to resume: same hash, same upload)."""
    with service_errors():
        _only_officer(user)
        assignment = flows.own_assignment(db_session=db_session, officer=user, assignment_id=assignment_id)
        upload = uploads.begin_upload(
            db_session=db_session,
            officer=user,
            assignment=assignment,
            purpose=body.purpose,
            filename=body.filename,
            size_bytes=body.size_bytes,
            sha256=body.sha256,
            captured_at=body.captured_at,
            now=utcnow(),
        )
    return UploadRead.of(upload)


@field_router.get("/uploads/{upload_id}", response_model=UploadRead)
def upload_state(upload_id: int, user: CurrentUser, db_session: SessionDep) -> UploadRead:
    """How many bytes have arrived: the offset to resume from (the officer's own uploads only)."""
    with service_errors():
        upload = uploads.own_upload(db_session=db_session, officer=user, upload_id=upload_id)
    return UploadRead.of(upload)


CHUNK_ANSWERS: dict[int | str, dict[str, Any]] = {
    409: {"description": "偏移量不对：按 received_bytes 续传"},
    422: {"description": "文件与手机计算的哈希不符，已拒收"},
}


@field_router.put("/uploads/{upload_id}/chunk", response_model=UploadRead, responses=CHUNK_ANSWERS)
async def upload_chunk(
    upload_id: int,
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    offset: Annotated[int, Header(alias="Upload-Offset", ge=0, description="本块第一个字节在文件中的位置")],
) -> Response:
    """The bytes of the file from OFFSET on (a chunk sent again is kept once); the last chunk stores the
    file as evidence, or refuses it when its bytes do not match the phone's hash."""
    data = await request.body()
    # off the event loop: the upload's row lock may wait for a concurrent chunk's commit
    return await run_in_threadpool(_receive_chunk, db_session, user, upload_id, offset, data)


def _receive_chunk(db_session: SessionDep, user: User, upload_id: int, offset: int, data: bytes) -> Response:
    with service_errors():
        _only_officer(user)
        upload = uploads.own_upload(db_session=db_session, officer=user, upload_id=upload_id, lock=True)
        uploads.receive_chunk(
            db_session=db_session, officer=user, upload=upload, offset=offset, data=data, now=utcnow()
        )
    read = UploadRead.of(upload).model_dump(mode="json")
    if upload.state == uploads.REFUSED:  # answered, not raised: the refusal itself must be kept
        return JSONResponse({"detail": upload.refusal, "upload": read}, status_code=422)
    return JSONResponse(read)


@field_router.post("/tasks/{assignment_id}/outcome", response_model=OutcomeRead)
def outcome(
    assignment_id: int, body: OutcomeRequest, user: CurrentUser, db_session: SessionDep
) -> OutcomeRead:
    """Served or left (409 naming each missing fact), or a failed visit: the router plans the next method."""
    with service_errors():
        _only_officer(user)
        assignment = flows.own_assignment(db_session=db_session, officer=user, assignment_id=assignment_id)
        following = flows.finish_visit(
            db_session=db_session,
            officer=user,
            assignment=assignment,
            result=body.result,
            received_by=body.received_by,
            refusal_note=body.refusal_note,
            witness_name=body.witness_name,
            notes=body.notes,
            now=utcnow(),
        )
    return OutcomeRead(
        stop=StopRead.of(assignment.attempt, assignment),
        next_method=METHOD_LABELS[following.method] if following else None,
        next_start_by=following.start_by if following else None,
    )


@field_router.post("/track", status_code=status.HTTP_202_ACCEPTED)
def track(body: TrackRequest, user: CurrentUser, db_session: SessionDep) -> dict[str, int]:
    """Positions the phone recorded while the route was open (sent in batches, repeats ignored)."""
    with service_errors():
        _only_officer(user)
    fixes = [(fix.at, fix.lon, fix.lat, fix.accuracy_m) for fix in body.fixes]
    return {"added": flows.add_track(db_session=db_session, officer=user, fixes=fixes)}


@field_router.get("/mileage", response_model=MileageRead)
def mileage(
    user: CurrentUser,
    db_session: SessionDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="月份，如 2026-03")],
    officer_id: int | None = None,
) -> MileageRead:
    """An officer's month: per day stops, results, planned and GPS-track kilometres, hours."""
    with service_errors():
        officer = _officer_for(db_session, user, officer_id)
        first = _month_start(month)
    days = stats.month_figures(db_session=db_session, officer_id=officer.id, month=first)
    finished = sum(d.served + d.failed for d in days)
    served = sum(d.served for d in days)
    return MileageRead(
        officer=OfficerRead.of(officer),
        month=month,
        days=[DayFiguresRead.of(d) for d in days],
        stops=sum(d.stops for d in days),
        served=served,
        served_rate=round(served / finished, 3) if finished else None,
        planned_km=round(sum(d.planned_km for d in days), 2),
        track_km=round(sum(d.track_km for d in days), 2),
        hours=round(sum(d.hours for d in days), 2),
    )
