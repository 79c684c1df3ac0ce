"""The task card an agent works from: the delivery, its case, party, documents, every contact point with
its history and the attempts made on it, open callbacks, what to read out, and the lock."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from backend.auth.models import User
from backend.cases.enums import CASE_TYPE_LABELS
from backend.cases.models import Case
from backend.core.errors import NotVisible
from backend.deliveries.enums import METHOD_LABELS
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.schemas import AttemptRead, DeliveryRead
from backend.desk import followup
from backend.desk.enums import CALLBACK_LABELS
from backend.desk.models import TaskLock
from backend.desk.scripts import script
from backend.desk.snapshots import iso
from backend.parties.enums import LITIGATION_ROLE_LABELS, PARTY_TYPE_LABELS
from backend.parties.models import ContactPoint, Party


def load_delivery(*, db_session: Session, delivery_id: int) -> Delivery:
    """The delivery with everything the desk works with, or NotVisible."""
    query = (
        select(Delivery)
        .where(Delivery.id == delivery_id)
        .options(
            joinedload(Delivery.case).joinedload(Case.court),  # one row each: joined, not a query each
            joinedload(Delivery.party)
            .selectinload(Party.contact_points)
            .selectinload(ContactPoint.history),
            selectinload(Delivery.documents),
            selectinload(Delivery.attempts),
        )
    )
    delivery = db_session.scalar(query)
    if delivery is None:
        raise NotVisible("送达任务")
    return delivery


def _case(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "case_number": case.case_number,
        "case_type": case.case_type.value,
        "case_type_label": CASE_TYPE_LABELS[case.case_type],
        "cause": case.cause,
        "court_name": case.court.name,
        "judge_name": case.judge_name,
        "clerk_name": case.clerk_name,
        "hearing_at": iso(case.hearing_at),
        "service_deadline": case.service_deadline.isoformat() if case.service_deadline else None,
        "unverified_fields": dict(case.unverified_fields),  # 待核实, from the import
    }


def _party(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "name": party.name,
        "party_type": party.party_type.value,
        "party_type_label": PARTY_TYPE_LABELS[party.party_type],
        "litigation_role": party.litigation_role.value,
        "litigation_role_label": LITIGATION_ROLE_LABELS[party.litigation_role],
        "unverified_fields": dict(party.unverified_fields),  # 待核实, from the import
    }


def _attempt(attempt: DeliveryAttempt) -> dict[str, Any]:
    data = AttemptRead.model_validate(attempt).model_dump(mode="json")
    return data | {"method_label": METHOD_LABELS[attempt.method]}


def _contact_point(point: ContactPoint, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": point.id,
        "kind": point.kind.value,
        "value": point.value,
        "source": point.source,
        "state": point.state.value,
        "history": [
            {"kind": event.kind.value, "source": event.source, "note": event.note, "at": iso(event.at)}
            for event in point.history
        ],
        "attempts": [_attempt(attempt) for attempt in attempts if attempt.contact_point_id == point.id],
    }


def task_card(
    *, db_session: Session, delivery: Delivery, agent: User, lock: TaskLock | None
) -> dict[str, Any]:
    attempts = list(delivery.attempts)
    callbacks = followup.open_callbacks(db_session=db_session, delivery_id=delivery.id)
    return {
        "delivery": DeliveryRead.of(delivery).model_dump(mode="json")
        | {"attempts": [_attempt(attempt) for attempt in attempts]},
        "case": _case(delivery.case),
        "party": _party(delivery.party),
        "documents": [
            {"id": document.id, "name": document.name, "kind": document.kind.value}
            for document in delivery.documents
        ],
        "contact_points": [_contact_point(point, attempts) for point in delivery.party.contact_points],
        "callbacks": [
            {
                "id": c.id,
                "kind": c.kind.value,
                "kind_label": CALLBACK_LABELS.get(c.kind, c.kind.value),
                "due_at": iso(c.due_at),
                "note": c.note,
                "contact_point_id": c.contact_point_id,
            }
            for c in callbacks
        ],
        "script": script(delivery, agent),
        "lock": None
        if lock is None
        else {"user_id": lock.user_id, "locked_at": iso(lock.locked_at), "expires_at": iso(lock.expires_at)},
    }
