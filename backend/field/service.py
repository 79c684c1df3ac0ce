"""Field delivery's rules: planning a visit, assigning visits to officers for a day, planning their routes."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
from backend.core.errors import InvalidRequest, NotVisible, RuleViolation
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.router import SWITCH_WITHIN
from backend.deliveries.service import audit_change
from backend.field import hours
from backend.field.coords import Point
from backend.field.gateway import MapError, MapGateway, map_gateway
from backend.field.gateway.base import TravelMatrix
from backend.field.models import FieldAssignment, FieldPlace, FieldRoute
from backend.field.routing import PlannedRoute, plan_routes
from backend.parties.enums import ContactKind
from backend.parties.models import ContactPoint, usable_contact_points

OPEN = (AttemptStatus.planned, AttemptStatus.in_progress)


def plan_visit(
    *, db_session: Session, actor: User, delivery: Delivery, notes: str | None, now: datetime
) -> DeliveryAttempt:
    """Plan a visit to the party's best known address, due within 24 hours, with the reason for it."""
    notes = (notes or "").strip()
    if not notes:
        raise InvalidRequest("请填写外出送达说明")
    addresses = usable_contact_points(delivery.party, ContactKind.address)
    return attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.field,
        planned_at=now,
        start_by=now + SWITCH_WITHIN,
        contact_point_id=addresses[0].id if addresses else None,
        notes=notes,
    )


def default_gateway() -> MapGateway:
    settings = get_settings()
    return map_gateway(
        settings.field_map_url, key=settings.field_map_key, detour_factor=settings.field_detour_factor
    )


def address_of(attempt: DeliveryAttempt) -> str:
    point = attempt.delivery and next(
        (cp for cp in attempt.delivery.party.contact_points if cp.id == attempt.contact_point_id), None
    )
    if isinstance(point, ContactPoint):
        return point.value
    usable = usable_contact_points(attempt.delivery.party, ContactKind.address)
    return usable[0].value if usable else ""


def place(*, db_session: Session, address: str, gateway: MapGateway) -> Point | None:
    """The address's position: from the cache, else from the geocoder (remembered, even when unplaced)."""
    address = " ".join(address.split())
    if not address:
        return None
    cached = db_session.scalars(select(FieldPlace).where(FieldPlace.address == address)).first()
    if cached is None:
        try:
            point = gateway.geocode(address)
        except MapError:
            return None  # not remembered: the vendor may answer next time
        cached = FieldPlace(
            address=address,
            lon=point.lon if point else None,
            lat=point.lat if point else None,
            source=type(gateway).__name__,
        )
        db_session.add(cached)
        db_session.flush()
    return Point(cached.lon, cached.lat) if cached.lon is not None and cached.lat is not None else None


def open_field_attempts(*, db_session: Session) -> list[DeliveryAttempt]:
    """Field attempts still to be made (planned or under way), soonest start-by first."""
    query = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.method == DeliveryMethod.field, DeliveryAttempt.status.in_(OPEN))
        .order_by(DeliveryAttempt.start_by.is_(None), DeliveryAttempt.start_by, DeliveryAttempt.id)
    )
    return list(db_session.scalars(query))


def assignment_of(*, db_session: Session, attempt_id: int) -> FieldAssignment | None:
    return db_session.scalars(select(FieldAssignment).where(FieldAssignment.attempt_id == attempt_id)).first()


def field_officer(*, db_session: Session, officer_id: int) -> User:
    officer = db_session.get(User, officer_id)
    if officer is None or officer.role is not Role.field_officer or not officer.is_active:
        raise InvalidRequest("请选择一名在岗的外出送达人员")
    return officer


def assign(
    *,
    db_session: Session,
    actor: User,
    attempt: DeliveryAttempt,
    officer: User,
    day: date,
    gateway: MapGateway,
) -> FieldAssignment:
    """Give ATTEMPT to OFFICER for DAY (re-assigning a visit not yet begun); its address is geocoded."""
    if attempt.method is not DeliveryMethod.field or attempt.status not in OPEN:
        raise RuleViolation("只能分派尚未完成的外出送达尝试")
    address = address_of(attempt)
    if not address:
        raise RuleViolation("该当事人没有可用的送达地址，不能分派外出送达")
    assignment = assignment_of(db_session=db_session, attempt_id=attempt.id)
    if assignment is not None and assignment.checked_in_at is not None:
        raise RuleViolation("送达人员已到达现场，不能改派")
    point = place(db_session=db_session, address=address, gateway=gateway)
    if assignment is None:
        assignment = FieldAssignment(attempt=attempt, officer_user_id=officer.id, day=day, address=address)
        db_session.add(assignment)
    assignment.officer_user_id, assignment.day, assignment.address = officer.id, day, address
    assignment.assigned_by_user_id = actor.id
    assignment.lon, assignment.lat = (point.lon, point.lat) if point else (None, None)
    assignment.route_order = assignment.leg_m = assignment.planned_arrival_at = None
    db_session.flush()
    audit_change(
        db_session=db_session,
        actor=actor,
        action="field_assigned",
        target=attempt,
        detail={"officer": officer.username, "day": day.isoformat()},
    )
    return assignment


def day_assignments(*, db_session: Session, officer_id: int, day: date) -> list[FieldAssignment]:
    """An officer's visits of a day in route order (unplanned ones last)."""
    query = (
        select(FieldAssignment)
        .where(FieldAssignment.officer_user_id == officer_id, FieldAssignment.day == day)
        .order_by(FieldAssignment.route_order.is_(None), FieldAssignment.route_order, FieldAssignment.id)
    )
    return list(db_session.scalars(query))


def visible_assignment(*, db_session: Session, user: User, assignment_id: int) -> FieldAssignment:
    """A visit the user may see: an officer only their own; supervisors and admins any."""
    assignment = db_session.get(FieldAssignment, assignment_id)
    if assignment is None or (user.role is Role.field_officer and assignment.officer_user_id != user.id):
        raise NotVisible("外出送达任务")
    return assignment


def plan_route(
    *,
    db_session: Session,
    officer: User,
    day: date,
    start: Point | None,
    gateway: MapGateway,
    now: datetime,
) -> FieldRoute:
    """Order the officer's open, placed visits of DAY from START (default: their own start point) within
    their hours and the parties' windows; visits already made, or that fit nowhere, keep no order."""
    plan = hours.officer_day(db_session=db_session, officer_id=officer.id)
    start = start or plan.start
    visits = [
        a
        for a in day_assignments(db_session=db_session, officer_id=officer.id, day=day)
        if a.lon is not None and a.lat is not None and a.checked_in_at is None
    ]
    for visit in visits:
        visit.route_order = visit.leg_m = visit.planned_arrival_at = None
    points = [start, *(Point(a.lon, a.lat) for a in visits if a.lon is not None and a.lat is not None)]
    travel = gateway.travel_matrix(points) if visits else TravelMatrix([[0]])
    matrix = travel.metres
    windows = hours.windows_of(db_session=db_session, attempt_ids=[a.attempt_id for a in visits])
    (route,) = plan_routes(
        matrix,
        driving_s=travel.seconds,
        starts=[0],
        stops=list(range(1, len(points))),
        shifts=[hours.planning_hours(plan.hours, day, now)],
        windows=[hours.window_span(windows.get(a.attempt_id)) for a in visits],
        seconds_per_m=hours.seconds_per_metre(),
        service_s=hours.visit_seconds(),
    )
    _apply(visits, route, matrix, day)
    return _save_route(db_session, officer.id, day, start, route.length_m, len(route.stops))


def _apply(visits: list[FieldAssignment], route: PlannedRoute, matrix: list[list[int]], day: date) -> None:
    """Number VISITS in the route's order (visit i is matrix row i + 1; row 0 the start), with each leg
    and the planned arrival."""
    previous = 0
    for position, index in enumerate(route.stops, start=1):
        visit = visits[index]
        visit.route_order, visit.leg_m = position, matrix[previous][index + 1]
        if route.arrivals_s:
            visit.planned_arrival_at = hours.moment(day, route.arrivals_s[position - 1])
        previous = index + 1


def plan_day(
    *,
    db_session: Session,
    actor: User,
    day: date,
    officers: list[User],
    start: Point | None,
    gateway: MapGateway,
    now: datetime,
) -> list[FieldRoute]:
    """Share every open field visit not yet assigned among OFFICERS for DAY, each from their own start point
    (or START for all) within their hours and the parties' windows, each with a planned route; a visit
    that fits nobody's day stays unassigned."""
    if not officers:
        raise InvalidRequest("请至少选择一名外出送达人员")
    waiting = [
        attempt
        for attempt in open_field_attempts(db_session=db_session)
        if assignment_of(db_session=db_session, attempt_id=attempt.id) is None and address_of(attempt)
    ]
    placed: list[tuple[DeliveryAttempt, Point]] = []
    for attempt in waiting:
        point = place(db_session=db_session, address=address_of(attempt), gateway=gateway)
        if point is not None:
            placed.append((attempt, point))
    days = [hours.officer_day(db_session=db_session, officer_id=officer.id) for officer in officers]
    starts = [start or plan.start for plan in days]
    points = [*starts, *(point for _, point in placed)]
    travel = gateway.travel_matrix(points) if placed else TravelMatrix([[0] * len(points) for _ in points])
    matrix = travel.metres
    windows = hours.windows_of(db_session=db_session, attempt_ids=[attempt.id for attempt, _ in placed])
    routes = plan_routes(
        matrix,
        driving_s=travel.seconds,
        starts=list(range(len(officers))),
        stops=[len(officers) + i for i in range(len(placed))],
        shifts=[hours.planning_hours(plan.hours, day, now) for plan in days],
        windows=[hours.window_span(windows.get(attempt.id)) for attempt, _ in placed],
        seconds_per_m=hours.seconds_per_metre(),
        service_s=hours.visit_seconds(),
    )
    planned = []
    for officer, officer_start, route in zip(officers, starts, routes, strict=True):
        for index in route.stops:
            assign(
                db_session=db_session,
                actor=actor,
                attempt=placed[index][0],
                officer=officer,
                day=day,
                gateway=gateway,
            )
        # each officer's whole day (visits assigned earlier included) is ordered again from their start
        planned.append(
            plan_route(
                db_session=db_session, officer=officer, day=day, start=officer_start, gateway=gateway, now=now
            )
        )
    return planned


def _save_route(
    db_session: Session, officer_id: int, day: date, start: Point, length_m: int, stops: int
) -> FieldRoute:
    route = db_session.scalars(
        select(FieldRoute).where(FieldRoute.officer_user_id == officer_id, FieldRoute.day == day)
    ).first()
    if route is None:
        route = FieldRoute(officer_user_id=officer_id, day=day, start_lon=start.lon, start_lat=start.lat)
        db_session.add(route)
    route.start_lon, route.start_lat, route.planned_m, route.stops = start.lon, start.lat, length_m, stops
    db_session.flush()
    return route


def field_officers(*, db_session: Session) -> list[User]:
    query = select(User).where(User.role == Role.field_officer, User.is_active.is_(True)).order_by(User.id)
    return list(db_session.scalars(query))


def route_of(*, db_session: Session, officer_id: int, day: date) -> FieldRoute | None:
    query = select(FieldRoute).where(FieldRoute.officer_user_id == officer_id, FieldRoute.day == day)
    return db_session.scalars(query).first()
