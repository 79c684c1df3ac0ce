"""Deliveries to call and agents to call them, committed through real sessions; and a call's life as the
call-record writer and the websocket hub would apply it (typed call events, no Asterisk needed)."""

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from backend import database
from backend.auth import service as auth_service
from backend.auth.models import User
from backend.calls import service as call_service
from backend.calls.models import CallRecord
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.core.clock import court_today
from backend.courts.models import Court
from backend.deliveries.models import Delivery
from backend.desk import presence
from backend.desk import service as desk_service
from backend.desk.enums import PresenceState
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.parties.enums import ContactEventKind, ContactKind, ContactState, LitigationRole, PartyType
from backend.parties.models import ContactPoint, ContactPointEvent, Party
from telephony.events import (
    AgentAnswered,
    AgentRinging,
    CallEnded,
    CallEvent,
    CallOriginated,
    PartyAnswered,
    PartyDialled,
)

_numbers = itertools.count(1)
_extensions = itertools.count(7001)


@dataclass(frozen=True)
class Made:
    delivery_id: int
    case_id: int
    party_id: int
    phone_ids: list[int]
    address_ids: list[int]


def court(session: Session) -> Court:
    found = session.query(Court).filter_by(code="京0102").one_or_none()
    if found is None:
        found = Court(code="京0102", name="北京市西城区人民法院")
        session.add(found)
        session.flush()
    return found


def _contact(party: Party, kind: ContactKind, value: str, state: ContactState) -> ContactPoint:
    point = ContactPoint(kind=kind, value=value, source="court_export", state=state)
    point.history.append(ContactPointEvent(kind=ContactEventKind.added, source="court_export"))
    party.contact_points.append(point)
    return point


def add_delivery(
    *,
    case_type: CaseType = CaseType.civil,
    deadline: date | None = None,
    hearing_at: datetime | None = None,
    group: str | None = None,
    phones: tuple[str, ...] = ("13800138000",),
    invalid_phones: tuple[str, ...] = (),
    addresses: tuple[str, ...] = (),
    document: tuple[str, DocumentKind] = ("传票", DocumentKind.summons),
    assignee_user_id: int | None = None,
) -> Made:
    """One case, one party with contact points, one document, one pending delivery (committed)."""
    with database.get_session() as session:
        number = next(_numbers)
        code = {"commercial": "商初", "mediation": "民特"}.get(case_type.value, "民初")
        case = Case(
            court=court(session),
            case_number=f"(2026)京0102{code}{number}号-{uuid.uuid4().hex[:4]}",
            cause="民间借贷纠纷",
            case_type=case_type,
            filed_on=date(2026, 1, 10),
            hearing_at=hearing_at,
        )
        party = Party(
            case=case,
            identity_key=f"id-{number}",
            name=f"当事人{number}",
            party_type=PartyType.natural_person,
            litigation_role=LitigationRole.defendant,
        )
        phone_points = [
            _contact(party, ContactKind.phone, value, ContactState.unverified) for value in phones
        ]
        phone_points += [
            _contact(party, ContactKind.phone, value, ContactState.invalid) for value in invalid_phones
        ]
        address_points = [
            _contact(party, ContactKind.address, value, ContactState.unverified) for value in addresses
        ]
        doc = Document(case=case, name=document[0], kind=document[1])
        delivery = Delivery(
            case=case,
            party=party,
            documents=[doc],
            deadline=deadline if deadline is not None else court_today() + timedelta(days=10),
            agent_group=group,
            assignee_user_id=assignee_user_id,
        )
        session.add_all([case, party, doc, delivery])
        session.flush()
        return Made(
            delivery_id=delivery.id,
            case_id=case.id,
            party_id=party.id,
            phone_ids=[p.id for p in phone_points],
            address_ids=[p.id for p in address_points],
        )


def new_extension() -> str:
    return str(next(_extensions))


def set_available(user_id: int) -> None:
    """Logged in (a live token: the sweep signs out agents without one) and available."""
    with database.get_session() as session:
        user = session.get(User, user_id)
        assert user is not None
        auth_service.issue_token(db_session=session, user=user)
        presence.set_own(db_session=session, agent=user, state=PresenceState.available)


def take_next(user_id: int) -> int:
    """The delivery id the agent was offered (committed)."""
    with database.get_session() as session:
        user = session.get(User, user_id)
        assert user is not None
        view = desk_service.next_task(db_session=session, agent=user)
        assert view.lock is not None
        return view.lock.delivery_id


def calling_a_new_task(agent_id: int) -> tuple[Made, str]:
    """A new delivery, taken by the agent (now available) and called on its first phone; the call's id."""
    made = add_delivery()
    set_available(agent_id)
    take_next(agent_id)
    return made, place_call(agent_id, made.delivery_id, made.phone_ids[0])


def place_call(user_id: int, delivery_id: int, contact_point_id: int) -> str:
    """What POST /api/desk/tasks/{id}/call records before asking Asterisk to originate."""
    with database.get_session() as session:
        user = session.get(User, user_id)
        assert user is not None
        record, created = desk_service.start_call(
            db_session=session,
            agent=user,
            delivery_id=delivery_id,
            contact_point_id=contact_point_id,
            idempotency_key=uuid.uuid4().hex,
        )
        assert created
        return record.call_id


def call_events(call_id: str, *, answered: bool, agent_endpoint: str = "7001") -> list[CallEvent]:
    """A call's typed events: the agent answers, the party answers (or not), the agent hangs up."""
    now = datetime.now(UTC)
    at = [now + timedelta(milliseconds=10 * step) for step in range(6)]
    channel = f"PJSIP/{agent_endpoint}-00000001"
    events: list[CallEvent] = [
        CallOriginated(call_id=call_id, at=at[0], agent_endpoint=agent_endpoint, number="13800138000"),
        AgentRinging(call_id=call_id, at=at[1], channel=channel),
        AgentAnswered(call_id=call_id, at=at[2], channel=channel),
        PartyDialled(call_id=call_id, at=at[3], channel="Local/x@songda-test;1", number="13800138000"),
    ]
    if answered:
        events.append(
            PartyAnswered(call_id=call_id, at=at[4], channel="Local/x@songda-test;1", connected_number=None)
        )
    events.append(
        CallEnded(
            call_id=call_id,
            at=at[5],
            agent_answered=True,
            party_answered=answered,
            dial_status="ANSWER" if answered else "NOANSWER",
            cause=16 if answered else 19,
        )
    )
    return events


def apply_call(events: list[CallEvent]) -> None:
    """What the call-record writer (call records) and the hub (presence) do with the events."""
    with database.get_session() as session:
        call_service.apply_events(db_session=session, events=events)
    for event in events:
        with database.get_session() as session:
            desk_service.on_call_event(db_session=session, event=event)


def finish_call(call_id: str, *, answered: bool) -> None:
    apply_call(call_events(call_id, answered=answered))


def record(session: Session, call_id: str) -> CallRecord:
    found = call_service.get_call(db_session=session, call_id=call_id)
    assert found is not None
    return found
