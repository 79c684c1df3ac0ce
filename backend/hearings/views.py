"""The hearing schedule (庭审排期): the week's courtrooms, summons deliveries at risk, setting a hearing.

Clerks (their own court's cases), supervisors and admins read it; clerks and admins set hearings."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import Query, Request

from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.roles import Role
from backend.cases.models import Case
from backend.core.clock import BEIJING
from backend.core.http import service_errors
from backend.database import SessionDep
from backend.hearings import service
from backend.hearings.schemas import (
    AtRiskRead,
    DeadlineChangeRead,
    HearingChangeRead,
    HearingRead,
    HearingUpdate,
    WeekRead,
)

read_router = secured_router(
    prefix="/api/hearings", tags=["庭审排期"], roles={Role.clerk, Role.supervisor, Role.admin}
)
write_router = secured_router(prefix="/api/hearings", tags=["庭审排期"], roles={Role.clerk, Role.admin})
routers = (read_router, write_router)


def _hearing(case: Case, summons: service.SummonsState | None, clashes: list[int]) -> HearingRead:
    assert case.hearing_at is not None
    return HearingRead(
        case_id=case.id,
        case_number=case.case_number,
        cause=case.cause,
        judge_name=case.judge_name,
        clerk_name=case.clerk_name,
        hearing_at=case.hearing_at,
        hearing_ends_at=service.hearing_end(case),
        courtroom=case.courtroom,
        summons_last_day=service.summons_deadline(case.hearing_at),
        summons_open=summons.open if summons else 0,
        summons_served=summons.served if summons else 0,
        clashes_with=clashes,
    )


@read_router.get("/week", response_model=WeekRead)
def week(
    user: CurrentUser,
    db_session: SessionDep,
    start: Annotated[date | None, Query(description="该周内任一日期，默认本周")] = None,
) -> WeekRead:
    """The hearings of one week by courtroom, each with the hearings it clashes with."""
    schedule = service.week_schedule(db_session=db_session, user=user, start=start)
    hearings = [
        _hearing(case, schedule.summons.get(case.id), schedule.clashes.get(case.id, []))
        for case in schedule.hearings
    ]
    rooms = sorted({case.courtroom or "未定法庭" for case in schedule.hearings})
    days = [schedule.start + timedelta(days=offset) for offset in range(7)]
    return WeekRead(week_start=schedule.start, days=days, courtrooms=rooms, hearings=hearings)


@read_router.get("/at-risk", response_model=list[AtRiskRead])
def at_risk(user: CurrentUser, db_session: SessionDep) -> list[AtRiskRead]:
    """Summons deliveries that cannot make the three days before their hearing, closest hearing first."""
    return [
        AtRiskRead(
            delivery_id=item.delivery.id,
            delivery_status=item.delivery.status,
            party_name=item.party_name,
            case_id=item.case.id,
            case_number=item.case.case_number,
            hearing_at=item.hearing_at,
            courtroom=item.case.courtroom,
            deadline=item.delivery.deadline,
            last_day=item.last_day,
            days_left=item.days_left,
            too_late=item.too_late,
            risk_label="已无法按期送达" if item.too_late else f"仅剩{item.days_left}天",
        )
        for item in service.at_risk_summons(db_session=db_session, user=user)
    ]


@read_router.get("/courtrooms", response_model=list[str])
def courtrooms(user: CurrentUser, db_session: SessionDep) -> list[str]:
    return service.known_courtrooms(db_session=db_session, user=user)


@write_router.put("/{case_id}", response_model=HearingChangeRead)
def set_hearing(
    case_id: int, body: HearingUpdate, request: Request, user: CurrentUser, db_session: SessionDep
) -> HearingChangeRead:
    """Set or move the case's hearing; its open summons deliveries' deadlines follow (audited)."""
    hearing_at = body.hearing_at
    if hearing_at.tzinfo is None:
        hearing_at = hearing_at.replace(tzinfo=BEIJING)
    with service_errors():
        change = service.set_hearing(
            db_session=db_session,
            user=user,
            case_id=case_id,
            hearing_at=hearing_at,
            courtroom=body.courtroom,
            minutes=body.hearing_minutes,
            client_ip=client_ip(request),
        )
    clashes = [other.id for other in change.clashes]
    summons = service.summons_states(db_session, [case_id]).get(case_id)
    return HearingChangeRead(
        hearing=_hearing(change.case, summons, clashes),
        previous_at=change.previous_at,
        previous_courtroom=change.previous_courtroom,
        deadlines_moved=[
            DeadlineChangeRead(delivery_id=d.delivery_id, party_name=d.party_name, old=d.old, new=d.new)
            for d in change.deadlines
        ],
    )
