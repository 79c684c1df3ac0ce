"""The case file's many rows (parties' contact history, deliveries' attempts and facts, evidence) read as
plain column rows, shaped as the CaseFile schema's dicts. A large case's file is some two thousand rows: as
ORM objects, each validated into its own schema, they cost several times what the queries do."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Executable, Select, func, inspect, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend.auth.models import User
from backend.cases.models import Case
from backend.cases.schemas import EvidenceRead
from backend.deliveries.channels import installed_channels
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import (
    AttemptFact,
    Delivery,
    DeliveryAttempt,
    attempt_evidence,
    delivery_document,
)
from backend.deliveries.schemas import AttemptRead, DeliveryRead
from backend.evidence.models import Evidence
from backend.parties.models import ContactPoint, ContactPointEvent, Party
from backend.parties.schemas import ContactPointEventRead, ContactPointRead, PartyRead

Fields = dict[str, Any]


@dataclass
class FilePart:
    """One page of a case file's parties or deliveries (by id), how many there are, and where the next
    page starts (None: this was the last)."""

    items: list[Fields]
    total: int
    next_after: int | None


def schema_columns(model: type[Any], schema: type[BaseModel]) -> list[InstrumentedAttribute[Any]]:
    """MODEL's columns that SCHEMA has a field for, in the schema's order."""
    columns = set(inspect(model).column_attrs.keys())
    return [getattr(model, name) for name in schema.model_fields if name in columns]


def rows(db_session: Session, query: Executable) -> list[Fields]:
    """QUERY's rows as dicts keyed by column name."""
    result = db_session.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _grouped(items: Iterable[Fields], key: str, *, keep: bool = False) -> dict[int, list[Fields]]:
    """ITEMS by their KEY (the parent's id: popped unless KEEP, when the schema sends it)."""
    groups: dict[int, list[Fields]] = {}
    for item in items:
        groups.setdefault(item[key] if keep else item.pop(key), []).append(item)
    return groups


def fact_labels() -> dict[tuple[DeliveryMethod, str], str]:
    """(method, fact key) -> the label its channel gives the fact."""
    labels: dict[tuple[DeliveryMethod, str], str] = {}
    for method, channel in installed_channels().items():
        required = [fact for facts in channel.facts_by_outcome.values() for fact in facts]
        for fact in [*required, *channel.stated_if_recorded]:
            labels.setdefault((method, fact.key), fact.label)
    return labels


def file_part(
    db_session: Session,
    model: type[Party] | type[Delivery],
    query: Select[Any],
    case_id: int,
    after: int,
    limit: int,
) -> FilePart:
    """QUERY's rows of the case after id AFTER, at most LIMIT: a mass case's file costs a page."""
    items = rows(
        db_session,
        query.where(model.case_id == case_id, model.id > after).order_by(model.id).limit(limit + 1),
    )
    more = len(items) > limit
    if after == 0 and not more:  # the whole of it: nothing to count
        return FilePart(items, len(items), None)
    total = db_session.scalar(select(func.count()).where(model.case_id == case_id)) or 0
    return FilePart(items[:limit], total, items[limit - 1]["id"] if more else None)


def parties(db_session: Session, case_id: int, after: int, limit: int) -> FilePart:
    """A page of the case's parties, each with its contact points and each point's history."""
    part = file_part(db_session, Party, select(*schema_columns(Party, PartyRead)), case_id, after, limit)
    party_ids = [party["id"] for party in part.items]
    points = rows(
        db_session,
        select(ContactPoint.party_id, *schema_columns(ContactPoint, ContactPointRead))
        .where(ContactPoint.party_id.in_(party_ids))
        .order_by(ContactPoint.id),
    )
    events = rows(
        db_session,
        select(ContactPointEvent.contact_point_id, *schema_columns(ContactPointEvent, ContactPointEventRead))
        .join(ContactPoint, ContactPoint.id == ContactPointEvent.contact_point_id)
        .where(ContactPoint.party_id.in_(party_ids))
        .order_by(ContactPointEvent.id),
    )
    history = _grouped(events, "contact_point_id")
    for point in points:
        point["history"] = history.get(point["id"], [])
    by_party = _grouped(points, "party_id")
    for party in part.items:
        party["contact_points"] = by_party.get(party["id"], [])
    return part


def _attempts(
    db_session: Session, delivery_ids: Sequence[int], labels: dict[tuple[DeliveryMethod, str], str]
) -> list[Fields]:
    attempts = rows(
        db_session,
        select(*schema_columns(DeliveryAttempt, AttemptRead))
        .where(DeliveryAttempt.delivery_id.in_(delivery_ids))
        .order_by(DeliveryAttempt.id),
    )
    facts = rows(
        db_session,
        select(
            AttemptFact.attempt_id,
            AttemptFact.key,
            AttemptFact.value,
            AttemptFact.evidence_id,
            AttemptFact.recorded_at,
        )
        .join(DeliveryAttempt, DeliveryAttempt.id == AttemptFact.attempt_id)
        .where(DeliveryAttempt.delivery_id.in_(delivery_ids))
        .order_by(AttemptFact.id),
    )
    facts_of = _grouped(facts, "attempt_id")
    for attempt in attempts:
        attempt["facts"] = [
            fact | {"label": labels.get((attempt["method"], fact["key"]), fact["key"])}
            for fact in facts_of.get(attempt["id"], [])
        ]
    return attempts


def deliveries(db_session: Session, case: Case, after: int, limit: int) -> FilePart:
    """A page of CASE's deliveries, each with its documents' ids and its attempts with the facts they
    recorded (in the words of the attempt's channel)."""
    query = select(*schema_columns(Delivery, DeliveryRead), Party.name.label("party_name")).join(
        Party, Party.id == Delivery.party_id
    )
    part = file_part(db_session, Delivery, query, case.id, after, limit)
    delivery_ids = [delivery["id"] for delivery in part.items]
    links = db_session.execute(
        select(delivery_document.c.delivery_id, delivery_document.c.document_id)
        .where(delivery_document.c.delivery_id.in_(delivery_ids))
        .order_by(delivery_document.c.document_id)
    )
    documents: dict[int, list[int]] = {}
    for delivery_id, document_id in links:
        documents.setdefault(delivery_id, []).append(document_id)
    attempts = _grouped(_attempts(db_session, delivery_ids, fact_labels()), "delivery_id", keep=True)
    number, case_type = case.case_number, case.case_type
    for delivery in part.items:
        delivery_id = delivery["id"]
        delivery |= {
            "case_number": number,
            "case_type": case_type,
            "document_ids": documents.get(delivery_id, []),
        }
        delivery["attempts"] = attempts.get(delivery_id, [])
    return part


def _evidence_links(db_session: Session, case_id: int) -> dict[int, list[int]]:
    links = db_session.execute(
        select(attempt_evidence.c.evidence_id, attempt_evidence.c.attempt_id)
        .join(DeliveryAttempt, DeliveryAttempt.id == attempt_evidence.c.attempt_id)
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .where(Delivery.case_id == case_id)
        .order_by(attempt_evidence.c.attempt_id)
    )
    attempts: dict[int, list[int]] = {}
    for evidence_id, attempt_id in links:
        attempts.setdefault(evidence_id, []).append(attempt_id)
    return attempts


def evidence(db_session: Session, case_id: int) -> list[Fields]:
    """The case's evidence (its metadata) with who made it and the attempts it is tied to."""
    items = rows(
        db_session,
        select(*schema_columns(Evidence, EvidenceRead), User.username.label("created_by_username"))
        .outerjoin(User, User.id == Evidence.created_by_user_id)
        .where(Evidence.case_id == case_id)
        .order_by(Evidence.id),
    )
    attempts = _evidence_links(db_session, case_id)
    for item in items:
        item["attempt_ids"] = attempts.get(item["id"], [])
    return items
