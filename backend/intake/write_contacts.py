"""Contact points from the export, kept with their history.

New numbers, addresses and e-mails are added (source court_export, event `added`); those the court
no longer lists are retired (listed_by_source False, event `retired`), never deleted; listed again,
they are relisted. Only contact points whose source is the court export are retired or relisted, and
the import never touches a contact point's verified/invalid state.
"""

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from backend.intake.bulk import insert_many, insert_returning, select_in, update_by_id
from backend.intake.enums import COURT_EXPORT_SOURCE, Column
from backend.intake.plan import ImportCounts, ImportPlan
from backend.intake.validation import PartyRecord
from backend.intake.write_cases import PartyKey
from backend.parties.enums import ContactEventKind, ContactKind, ContactState
from backend.parties.models import ContactPoint, ContactPointEvent

POINTS = cast(Table, ContactPoint.__table__)
EVENTS = cast(Table, ContactPointEvent.__table__)
_KIND_COLUMNS = {
    ContactKind.phone: Column.phones,
    ContactKind.address: Column.addresses,
    ContactKind.email: Column.emails,
}


def _listed(party: PartyRecord, kinds: list[ContactKind]) -> list[tuple[ContactKind, str]]:
    values = {
        ContactKind.phone: party.phones,
        ContactKind.address: party.addresses,
        ContactKind.email: party.emails,
    }
    return [(kind, value) for kind in kinds for value in values[kind]]


def sync_contact_points(
    session: Session,
    plan: ImportPlan,
    party_ids: dict[PartyKey, int],
    known_party_ids: set[int],
    counts: ImportCounts,
) -> None:
    """Add, retire and relist the parties' contact points as the export lists them."""
    kinds = [kind for kind, column in _KIND_COLUMNS.items() if column in plan.columns]
    columns = [
        POINTS.c.id,
        POINTS.c.party_id,
        POINTS.c.kind,
        POINTS.c.value,
        POINTS.c.source,
        POINTS.c.listed_by_source,
    ]
    existing: dict[int, dict[tuple[ContactKind, str], Any]] = {}
    for row in select_in(session, columns, POINTS.c.party_id, known_party_ids):
        existing.setdefault(row.party_id, {})[(row.kind, row.value)] = row
    inserts: list[dict[str, Any]] = []
    changes: list[tuple[int, bool, ContactEventKind]] = []
    for party in plan.parties:
        party_id = party_ids[(party.case_number, party.identity_key)]
        current = existing.get(party_id, {})
        listed = _listed(party, kinds)
        for kind, value in listed:
            if (kind, value) not in current:
                inserts.append({"party_id": party_id, "kind": kind, "value": value})
        changes.extend(_listing_changes(current, set(listed), kinds))
    added = insert_returning(session, POINTS, inserts, [POINTS.c.id], _point_constants(plan))
    listings = [
        {"id": point_id, "listed_by_source": listed, "updated_at": plan.now}
        for point_id, listed, _ in changes
    ]
    update_by_id(session, POINTS, listings)
    events = [{"contact_point_id": row.id, "kind": ContactEventKind.added} for row in added]
    events.extend({"contact_point_id": point_id, "kind": kind} for point_id, _, kind in changes)
    insert_many(session, EVENTS, events, _event_constants(plan))
    counts.contact_points_added += len(inserts)
    counts.contact_points_retired += sum(kind is ContactEventKind.retired for *_, kind in changes)
    counts.contact_points_relisted += sum(kind is ContactEventKind.relisted for *_, kind in changes)


def _listing_changes(
    current: dict[tuple[ContactKind, str], Any],
    listed: set[tuple[ContactKind, str]],
    kinds: list[ContactKind],
) -> list[tuple[int, bool, ContactEventKind]]:
    changes = []
    for key, row in current.items():
        if row.source != COURT_EXPORT_SOURCE or key[0] not in kinds:
            continue
        if key in listed and not row.listed_by_source:
            changes.append((row.id, True, ContactEventKind.relisted))
        elif key not in listed and row.listed_by_source:
            changes.append((row.id, False, ContactEventKind.retired))
    return changes


def _point_constants(plan: ImportPlan) -> dict[str, Any]:
    return {
        "source": COURT_EXPORT_SOURCE,
        "state": ContactState.unverified,
        "listed_by_source": True,
        "created_at": plan.now,
        "updated_at": plan.now,
    }


def _event_constants(plan: ImportPlan) -> dict[str, Any]:
    return {
        "source": COURT_EXPORT_SOURCE,
        "note": plan.event_note,
        "actor_user_id": plan.actor_user_id,
        "at": plan.now,
    }
