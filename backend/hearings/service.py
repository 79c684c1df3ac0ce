"""The hearing schedule (庭审排期): a case's hearing time and courtroom, the summons deadline that follows
from it, the summons deliveries at risk, and the week's courtrooms with their clashes.

A summons must reach the party at least three days before the hearing (Civil Procedure Law: parties are
notified three days before the hearing), so the last day to serve it is the hearing's Beijing date minus
three days. Setting or moving a hearing sets that deadline on the case's open summons deliveries, each
change with an audit row.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Exists, exists, select
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.models import User
from backend.cases import access
from backend.cases.models import Case
from backend.core.clock import BEIJING, beijing_day_start, court_today
from backend.core.errors import InvalidRequest
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import Delivery, delivery_document
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.parties.models import Party

SUMMONS_NOTICE_DAYS = 3  # 开庭三日前通知当事人
AT_RISK_MARGIN_DAYS = 2  # listed at risk when this many days or fewer are left to serve the summons
DEFAULT_HEARING_MINUTES = 60
OPEN_STATUSES = (DeliveryStatus.pending, DeliveryStatus.in_progress, DeliveryStatus.unservable)


def summons_deadline(hearing_at: datetime) -> date:
    """The last day a summons for a hearing at HEARING_AT may be served."""
    return hearing_at.astimezone(BEIJING).date() - timedelta(days=SUMMONS_NOTICE_DAYS)


def _has_summons() -> Exists:
    return exists().where(
        delivery_document.c.delivery_id == Delivery.id,
        Document.id == delivery_document.c.document_id,
        Document.kind == DocumentKind.summons,
    )


@dataclass(slots=True, frozen=True)
class DeadlineChange:
    delivery_id: int
    party_name: str
    old: date | None
    new: date


@dataclass(slots=True)
class HearingChange:
    case: Case
    previous_at: datetime | None
    previous_courtroom: str | None
    deadlines: list[DeadlineChange] = field(default_factory=list)
    clashes: list[Case] = field(default_factory=list)


def set_hearing(
    *,
    db_session: Session,
    user: User,
    case_id: int,
    hearing_at: datetime,
    courtroom: str,
    minutes: int | None = None,
    client_ip: str | None = None,
) -> HearingChange:
    """Set or move the hearing of a case in the caller's scope; its open summons deliveries' deadlines
    follow, each change audited. The clashes in that courtroom are returned, not refused."""
    case = access.visible_case(db_session=db_session, user=user, case_id=case_id)
    hearing_at = hearing_at.astimezone(UTC).replace(microsecond=0)
    if hearing_at <= datetime.now(UTC):
        raise InvalidRequest("开庭时间须晚于现在")
    courtroom = courtroom.strip()
    if not courtroom:
        raise InvalidRequest("请填写法庭")
    change = HearingChange(case=case, previous_at=case.hearing_at, previous_courtroom=case.courtroom)
    case.hearing_at, case.courtroom, case.hearing_minutes = hearing_at, courtroom, minutes
    # The clerk has set the hearing: an unreadable 开庭时间 from the import is no longer to be checked.
    case.unverified_fields = {key: why for key, why in case.unverified_fields.items() if key != "hearing_at"}
    change.deadlines = _move_summons_deadlines(db_session, case, summons_deadline(hearing_at))
    _audit(db_session, user, change, client_ip)
    db_session.flush()
    change.clashes = [other for other in _courtroom_day(db_session, case) if _overlap(case, other)]
    return change


def _move_summons_deadlines(db_session: Session, case: Case, deadline: date) -> list[DeadlineChange]:
    query = (
        select(Delivery, Party.name)
        .join(Party, Party.id == Delivery.party_id)
        .where(Delivery.case_id == case.id, Delivery.status.in_(OPEN_STATUSES), _has_summons())
        .order_by(Delivery.id)
    )
    changes = []
    for delivery, party_name in db_session.execute(query):
        if delivery.deadline != deadline:
            changes.append(DeadlineChange(delivery.id, party_name, delivery.deadline, deadline))
            delivery.deadline = deadline
    if changes:
        deadlines = db_session.scalars(select(Delivery.deadline).where(Delivery.case_id == case.id))
        case.service_deadline = min([*(d for d in deadlines if d is not None), deadline])
    return changes


def _audit(db_session: Session, user: User, change: HearingChange, client_ip: str | None) -> None:
    case = change.case
    hearing = {
        "hearing_from": _iso(change.previous_at),
        "hearing_to": _iso(case.hearing_at),
        "courtroom_from": change.previous_courtroom,
        "courtroom_to": case.courtroom,
    }
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="hearing_moved" if change.previous_at else "hearing_set",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        client_ip=client_ip,
        detail={**hearing, "deliveries": [item.delivery_id for item in change.deadlines]},
    )
    for item in change.deadlines:
        audit_service.record(
            db_session=db_session,
            actor=user,
            action="delivery_deadline_moved",
            object_type="delivery",
            object_id=item.delivery_id,
            case_id=case.id,
            client_ip=client_ip,
            detail={"from": _iso(item.old), "to": item.new.isoformat(), "reason": "hearing", **hearing},
        )


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def hearing_end(case: Case) -> datetime:
    assert case.hearing_at is not None
    return case.hearing_at + timedelta(minutes=case.hearing_minutes or DEFAULT_HEARING_MINUTES)


def _overlap(one: Case, other: Case) -> bool:
    if one.id == other.id or not one.courtroom or one.courtroom != other.courtroom:
        return False
    if not one.hearing_at or not other.hearing_at:
        return False
    return one.hearing_at < hearing_end(other) and other.hearing_at < hearing_end(one)


def _courtroom_day(db_session: Session, case: Case) -> list[Case]:
    """The other hearings in the case's courtroom on its day (whoever's court: a room is one room)."""
    assert case.hearing_at is not None
    day = case.hearing_at.astimezone(BEIJING).date()
    query = select(Case).where(
        Case.courtroom == case.courtroom,
        Case.court_id == case.court_id,
        Case.hearing_at >= beijing_day_start(day),
        Case.hearing_at < beijing_day_start(day + timedelta(days=1)),
        Case.id != case.id,
    )
    return list(db_session.scalars(query.order_by(Case.hearing_at, Case.id)))


@dataclass(slots=True)
class SummonsState:
    open: int = 0
    served: int = 0


@dataclass(slots=True)
class WeekSchedule:
    start: date
    hearings: list[Case]
    clashes: dict[int, list[int]]  # case id -> the case ids it clashes with
    summons: dict[int, SummonsState]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_schedule(*, db_session: Session, user: User, start: date | None = None) -> WeekSchedule:
    """The hearings of the week (Monday to Sunday, Beijing) in the caller's scope, with their clashes."""
    monday = week_start(start or court_today())
    query = (
        select(Case)
        .where(
            access.case_visible(user, Case.id),
            Case.hearing_at >= beijing_day_start(monday),
            Case.hearing_at < beijing_day_start(monday + timedelta(days=7)),
        )
        .order_by(Case.hearing_at, Case.id)
    )
    hearings = list(db_session.scalars(query))
    clashes: dict[int, list[int]] = {}
    for index, one in enumerate(hearings):
        for other in hearings[index + 1 :]:
            if one.court_id == other.court_id and _overlap(one, other):
                clashes.setdefault(one.id, []).append(other.id)
                clashes.setdefault(other.id, []).append(one.id)
    summons = summons_states(db_session, [case.id for case in hearings])
    return WeekSchedule(monday, hearings, clashes, summons)


def summons_states(db_session: Session, case_ids: list[int]) -> dict[int, SummonsState]:
    """Per case, how many of its summons deliveries are open and served."""
    states = {case_id: SummonsState() for case_id in case_ids}
    if not case_ids:
        return states
    query = select(Delivery.case_id, Delivery.status).where(Delivery.case_id.in_(case_ids), _has_summons())
    for case_id, status in db_session.execute(query):
        if status is DeliveryStatus.served:
            states[case_id].served += 1
        elif status in OPEN_STATUSES:
            states[case_id].open += 1
    return states


@dataclass(slots=True, frozen=True)
class AtRisk:
    """An open summons delivery whose last lawful day to serve is near or gone."""

    delivery: Delivery
    case: Case
    party_name: str
    last_day: date
    days_left: int  # negative: the summons can no longer be served in time

    @property
    def hearing_at(self) -> datetime:
        assert self.case.hearing_at is not None
        return self.case.hearing_at

    @property
    def too_late(self) -> bool:
        return self.days_left < 0


def at_risk_summons(*, db_session: Session, user: User, limit: int = 500) -> list[AtRisk]:
    """Open summons deliveries of coming hearings with AT_RISK_MARGIN_DAYS or fewer days left to serve,
    the closest hearing first."""
    today = court_today()
    latest_hearing = beijing_day_start(today + timedelta(days=SUMMONS_NOTICE_DAYS + AT_RISK_MARGIN_DAYS + 1))
    query = (
        select(Delivery, Case, Party.name)
        .join(Case, Case.id == Delivery.case_id)
        .join(Party, Party.id == Delivery.party_id)
        .where(
            access.case_visible(user, Case.id),
            Delivery.status.in_(OPEN_STATUSES),
            Case.hearing_at >= datetime.now(UTC),
            Case.hearing_at < latest_hearing,
            _has_summons(),
        )
        .order_by(Case.hearing_at, Delivery.id)
        .limit(limit)
    )
    found = []
    for delivery, case, party_name in db_session.execute(query):
        assert case.hearing_at is not None
        last_day = summons_deadline(case.hearing_at)
        found.append(AtRisk(delivery, case, party_name, last_day, (last_day - today).days))
    return found


def known_courtrooms(*, db_session: Session, user: User) -> list[str]:
    """The courtrooms the caller's cases have used, for the form's suggestions."""
    query = (
        select(Case.courtroom)
        .where(access.case_visible(user, Case.id), Case.courtroom.is_not(None))
        .distinct()
        .order_by(Case.courtroom)
        .limit(100)
    )
    return [room for room in db_session.scalars(query) if room]
