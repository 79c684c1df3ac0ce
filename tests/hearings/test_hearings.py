"""The hearing schedule's rules through the API: moving a hearing moves its summons deliveries' deadlines
with audit rows, summons that cannot make the three days are listed at risk closest hearing first, the
week calendar shows clashes per courtroom, and only the right people may see and set hearings."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.models import AuditLog
from backend.auth.roles import Role
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.core.clock import BEIJING, court_today
from backend.courts.models import Court
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import Delivery
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.parties.enums import LitigationRole, PartyType
from backend.parties.models import Party

Headers = dict[str, str]


@dataclass
class Court2:
    court_id: int
    other_court_id: int


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING).isoformat()


def make_case(
    db_session: Session,
    court_id: int,
    number: int,
    *,
    summons: tuple[DeliveryStatus, ...] = (DeliveryStatus.pending,),
    judgment_only: bool = False,
) -> int:
    """A case with one summons delivery per status in SUMMONS (and, if asked, a delivery without one)."""
    case = Case(
        court_id=court_id,
        case_number=f"(2026)京0102民初{number}号",
        cause="民间借贷纠纷",
        case_type=CaseType.civil,
        filed_on=date(2026, 11, 1),
    )
    db_session.add(case)
    db_session.flush()
    paper = Document(case_id=case.id, name="传票", kind=DocumentKind.summons)
    judgment = Document(case_id=case.id, name="判决书", kind=DocumentKind.judgment)
    db_session.add_all([paper, judgment])
    for index, status in enumerate((*summons, None) if judgment_only else summons):
        party = Party(
            case_id=case.id,
            identity_key=f"name:p{index}",
            name=f"当事人{number}-{index}",
            party_type=PartyType.natural_person,
            litigation_role=LitigationRole.defendant,
        )
        db_session.add(party)
        db_session.flush()
        delivery = Delivery(
            case_id=case.id,
            party_id=party.id,
            status=status or DeliveryStatus.pending,
            deadline=date(2027, 6, 1),
            documents=[judgment] if status is None else [paper],
        )
        db_session.add(delivery)
    db_session.commit()
    return case.id


@pytest.fixture()
def courts(db_session: Session) -> Court2:
    court, other = Court(code="京0102", name="西城法院"), Court(code="京0105", name="朝阳法院")
    db_session.add_all([court, other])
    db_session.commit()
    return Court2(court.id, other.id)


@pytest.fixture()
def clerk(login: Callable[..., Headers], courts: Court2) -> Headers:
    return login(Role.clerk, court_id=courts.court_id)


def put_hearing(
    client: TestClient, headers: Headers, case_id: int, when: str, room: str, **extra: object
) -> httpx.Response:
    return client.put(
        f"/api/hearings/{case_id}", headers=headers, json={"hearing_at": when, "courtroom": room, **extra}
    )


def test_moving_a_hearing_moves_its_open_summons_deadlines_with_audit_rows(
    client: TestClient, clerk: Headers, courts: Court2, db_session: Session
) -> None:
    case_id = make_case(
        db_session,
        courts.court_id,
        1,
        summons=(DeliveryStatus.pending, DeliveryStatus.served),
        judgment_only=True,
    )
    first_day = court_today() + timedelta(days=30)
    set_first = put_hearing(client, clerk, case_id, at(first_day, 9, 30), "第一法庭")
    assert set_first.status_code == 200, set_first.text
    open_summons, served_summons, judgment = db_session.scalars(
        select(Delivery).where(Delivery.case_id == case_id).order_by(Delivery.id)
    ).all()
    assert [d["delivery_id"] for d in set_first.json()["deadlines_moved"]] == [open_summons.id]

    new_day = court_today() + timedelta(days=12)
    moved = put_hearing(client, clerk, case_id, at(new_day, 14), "第二法庭", hearing_minutes=90)
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["previous_courtroom"] == "第一法庭"
    assert body["hearing"]["summons_last_day"] == (new_day - timedelta(days=3)).isoformat()
    assert body["hearing"]["summons_open"] == 1 and body["hearing"]["summons_served"] == 1
    assert body["deadlines_moved"] == [
        {
            "delivery_id": open_summons.id,
            "party_name": "当事人1-0",
            "old": (first_day - timedelta(days=3)).isoformat(),
            "new": (new_day - timedelta(days=3)).isoformat(),
        }
    ]
    db_session.expire_all()
    assert open_summons.deadline == new_day - timedelta(days=3)
    assert served_summons.deadline == judgment.deadline == date(2027, 6, 1)  # served / no summons: unchanged
    case = db_session.get_one(Case, case_id)
    assert (case.courtroom, case.hearing_minutes) == ("第二法庭", 90)
    assert case.hearing_at is not None and case.hearing_at.astimezone(BEIJING).hour == 14
    rows = db_session.scalars(
        select(AuditLog).where(AuditLog.case_id == case_id).order_by(AuditLog.id)
    ).all()
    assert [(row.action, row.object_type) for row in rows] == [
        ("hearing_set", "case"),
        ("delivery_deadline_moved", "delivery"),
        ("hearing_moved", "case"),
        ("delivery_deadline_moved", "delivery"),
    ]
    last = rows[-1]
    assert last.object_id == str(open_summons.id) and last.actor_user_id is not None
    assert last.detail["from"] == (first_day - timedelta(days=3)).isoformat()
    assert last.detail["to"] == (new_day - timedelta(days=3)).isoformat()
    assert last.detail["courtroom_from"] == "第一法庭" and last.detail["courtroom_to"] == "第二法庭"
    assert rows[2].detail["hearing_from"] == datetime.combine(first_day, time(1, 30), tzinfo=UTC).isoformat()


def test_summons_that_cannot_make_the_three_days_are_at_risk_closest_hearing_first(
    client: TestClient, clerk: Headers, courts: Court2, db_session: Session
) -> None:
    today = court_today()
    in_four = make_case(db_session, courts.court_id, 4)  # last day tomorrow: 1 day left
    in_two = make_case(db_session, courts.court_id, 2, judgment_only=True)  # last day yesterday: too late
    far = make_case(db_session, courts.court_id, 20)
    served = make_case(db_session, courts.court_id, 3, summons=(DeliveryStatus.served,))
    elsewhere = make_case(db_session, courts.other_court_id, 5)
    for case_id, days in ((in_four, 4), (in_two, 2), (far, 20), (served, 3)):
        response = put_hearing(client, clerk, case_id, at(today + timedelta(days=days), 9), "第一法庭")
        assert response.status_code == 200, response.text
    risky = client.get("/api/hearings/at-risk", headers=clerk)
    assert risky.status_code == 200, risky.text
    listed = [(i["case_id"], i["days_left"], i["too_late"], i["risk_label"]) for i in risky.json()]
    assert listed == [(in_two, -1, True, "已无法按期送达"), (in_four, 1, False, "仅剩1天")]
    assert risky.json()[0]["last_day"] == (today - timedelta(days=1)).isoformat()
    assert elsewhere not in {item["case_id"] for item in risky.json()}

    moved = put_hearing(client, clerk, far, at(today + timedelta(days=1), 15), "第一法庭")  # far comes close
    assert moved.status_code == 200, moved.text
    order = [item["case_id"] for item in client.get("/api/hearings/at-risk", headers=clerk).json()]
    assert order == [far, in_two, in_four]


def test_the_week_shows_each_courtroom_and_its_clashes(
    client: TestClient, clerk: Headers, courts: Court2, db_session: Session
) -> None:
    monday = court_today() - timedelta(days=court_today().weekday()) + timedelta(days=7)
    wednesday = monday + timedelta(days=2)
    first, second, after, other_room = (make_case(db_session, courts.court_id, n) for n in (11, 12, 13, 14))
    assert put_hearing(client, clerk, first, at(wednesday, 9), "第一法庭").status_code == 200
    clash = put_hearing(client, clerk, second, at(wednesday, 9, 30), "第一法庭")
    assert clash.json()["hearing"]["clashes_with"] == [first]  # told, not refused
    assert put_hearing(client, clerk, after, at(wednesday, 10, 30), "第一法庭").status_code == 200
    assert put_hearing(client, clerk, other_room, at(wednesday, 9), "第二法庭").status_code == 200

    week = client.get("/api/hearings/week", headers=clerk, params={"start": wednesday.isoformat()}).json()
    assert week["week_start"] == monday.isoformat() and len(week["days"]) == 7
    assert week["courtrooms"] == ["第一法庭", "第二法庭"]
    clashes = {item["case_id"]: item["clashes_with"] for item in week["hearings"]}
    assert clashes == {first: [second], second: [first], after: [], other_room: []}
    this_week = client.get("/api/hearings/week", headers=clerk).json()
    assert this_week["hearings"] == []
    assert client.get("/api/hearings/courtrooms", headers=clerk).json() == ["第一法庭", "第二法庭"]


def test_who_may_see_and_set_hearings(
    client: TestClient, clerk: Headers, courts: Court2, login: Callable[..., Headers], db_session: Session
) -> None:
    own = make_case(db_session, courts.court_id, 31)
    foreign = make_case(db_session, courts.other_court_id, 32)
    when = at(court_today() + timedelta(days=10), 9)
    assert put_hearing(client, clerk, foreign, when, "第一法庭").status_code == 404  # another court's case
    supervisor = login(Role.supervisor)
    assert client.get("/api/hearings/week", headers=supervisor).status_code == 200
    assert put_hearing(client, supervisor, own, when, "第一法庭").status_code == 403
    agent = login(Role.agent)
    assert client.get("/api/hearings/at-risk", headers=agent).status_code == 403
    admin = login(Role.admin)
    assert put_hearing(client, admin, foreign, when, "第三法庭").status_code == 200
    past = put_hearing(client, clerk, own, at(court_today() - timedelta(days=1), 9), "第一法庭")
    assert past.status_code == 422 and past.json()["detail"] == "开庭时间须晚于现在"
    start = {"start": (court_today() + timedelta(days=10)).isoformat()}
    listed = client.get("/api/hearings/week", headers=clerk, params=start).json()["hearings"]
    assert [item["case_id"] for item in listed] == []  # the other court's hearing is not the clerk's
