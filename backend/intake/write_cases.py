"""Upsert of the court, its cases and their parties, in a few set-based statements."""

from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from backend.cases.models import Case
from backend.courts.models import Court
from backend.intake.bulk import insert_returning, select_in, update_by_id
from backend.intake.crossrows import CaseRecord
from backend.intake.enums import Column
from backend.intake.identity import identity_key
from backend.intake.plan import ImportCounts, ImportPlan
from backend.intake.validation import PartyRecord
from backend.parties.models import Party

CASES = cast(Table, Case.__table__)
PARTIES = cast(Table, Party.__table__)
# Optional columns and the case fields they feed; a column missing from the file changes nothing.
_OPTIONAL_CASE_FIELDS = {
    "judge_name": Column.judge,
    "clerk_name": Column.clerk,
    "hearing_at": Column.hearing_at,
    "service_deadline": Column.deadline,
}
_CASE_FIELDS = ("cause", "case_type", "filed_on", *_OPTIONAL_CASE_FIELDS, "unverified_fields")
_PARTY_FIELDS = ("identity_key", "name", "party_type", "litigation_role", "id_number", "unverified_fields")
# The column each 待核实 mark comes from: a later export with that column decides the mark anew.
_MARK_COLUMNS = {
    "hearing_at": Column.hearing_at,
    "id_number": Column.id_number,
    "deadline": Column.deadline,
    "emails": Column.emails,
}

PartyKey = tuple[str, str]  # (case number, identity key)


def ensure_court(session: Session, plan: ImportPlan) -> int:
    """The court's id, creating the court on its first import."""
    court_id = session.scalar(select(Court.id).where(Court.code == plan.court_code))
    if court_id is not None:
        return court_id
    court = Court(code=plan.court_code, name=plan.court_name, created_at=plan.now)
    session.add(court)
    session.flush()
    return court.id


def _case_values(
    record: CaseRecord, existing: dict[str, Any] | None, columns: frozenset[Column]
) -> dict[str, Any]:
    fields = record.fields
    values: dict[str, Any] = {
        "cause": fields.cause,
        "case_type": fields.case_type,
        "filed_on": fields.filed_on,
        "judge_name": fields.judge_name,
        "clerk_name": fields.clerk_name,
        "hearing_at": fields.hearing_at,
        "service_deadline": record.service_deadline,
        "unverified_fields": _marks(record.unverified, existing, columns),
    }
    if existing is not None:
        for name, column in _OPTIONAL_CASE_FIELDS.items():
            if column not in columns:
                values[name] = existing[name]
    return values


def _marks(
    new: dict[str, str], existing: dict[str, Any] | None, columns: frozenset[Column]
) -> dict[str, str]:
    """The record's 待核实 marks: this export's, and the earlier ones of columns it does not have."""
    kept = {
        name: why
        for name, why in (existing or {}).get("unverified_fields", {}).items()
        if _MARK_COLUMNS.get(name) not in columns
    }
    return {**kept, **new}


def upsert_cases(session: Session, plan: ImportPlan, court_id: int, counts: ImportCounts) -> dict[str, int]:
    """Case ids by case number; new cases inserted, changed ones updated."""
    columns = [CASES.c.id, CASES.c.case_number, *(CASES.c[name] for name in _CASE_FIELDS)]
    loaded = select_in(session, columns, CASES.c.case_number, plan.cases)
    existing = {row.case_number: row._asdict() for row in loaded}
    case_ids = {number: row["id"] for number, row in existing.items()}
    inserts, updates = [], []
    for number, record in plan.cases.items():
        current = existing.get(number)
        values = _case_values(record, current, plan.columns)
        if current is None:
            inserts.append({"court_id": court_id, "case_number": number, **values})
        elif any(current[name] != value for name, value in values.items()):
            updates.append({"id": current["id"], **values, "updated_at": plan.now})
    stamps = {"created_at": plan.now, "updated_at": plan.now}
    for inserted in insert_returning(session, CASES, inserts, [CASES.c.id, CASES.c.case_number], stamps):
        case_ids[inserted.case_number] = inserted.id
    update_by_id(session, CASES, updates)
    counts.cases_created += len(inserts)
    counts.cases_updated += len(updates)
    return case_ids


def upsert_parties(
    session: Session, plan: ImportPlan, case_ids: dict[str, int], counts: ImportCounts
) -> tuple[dict[PartyKey, int], set[int]]:
    """Party ids by (case number, identity key), and the ids of parties that existed before."""
    columns = [PARTIES.c.id, PARTIES.c.case_id, *(PARTIES.c[name] for name in _PARTY_FIELDS)]
    loaded = select_in(session, columns, PARTIES.c.case_id, case_ids.values())
    existing = {(row.case_id, row.identity_key): row._asdict() for row in loaded}
    listed = {(case_ids[party.case_number], party.identity_key) for party in plan.parties}
    party_ids: dict[PartyKey, int] = {}
    inserts, updates = [], []
    for party in plan.parties:
        case_id = case_ids[party.case_number]
        current = existing.get((case_id, party.identity_key)) or _unnumbered_match(
            party, case_id, existing, listed
        )
        values = _party_values(party, current, plan.columns)
        if current is None:
            inserts.append({"case_id": case_id, **values})
            continue
        party_ids[(party.case_number, party.identity_key)] = current["id"]
        if any(current[name] != value for name, value in values.items()):
            updates.append({"id": current["id"], **values, "updated_at": plan.now})
    numbers = {case_id: number for number, case_id in case_ids.items()}
    returning = [PARTIES.c.id, PARTIES.c.case_id, PARTIES.c.identity_key]
    stamps = {"created_at": plan.now, "updated_at": plan.now}
    for inserted in insert_returning(session, PARTIES, inserts, returning, stamps):
        party_ids[(numbers[inserted.case_id], inserted.identity_key)] = inserted.id
    update_by_id(session, PARTIES, updates)
    counts.parties_created += len(inserts)
    counts.parties_updated += len(updates)
    return party_ids, {row["id"] for row in existing.values()}


def _unnumbered_match(
    party: PartyRecord,
    case_id: int,
    existing: dict[tuple[int, str], dict[str, Any]],
    listed: set[tuple[int, str]],
) -> dict[str, Any] | None:
    """A party first exported without an ID number, now listed with one: the same party."""
    if party.id_number is None:
        return None
    by_name = (case_id, identity_key(id_number=None, party_type=party.party_type, name=party.name))
    if by_name in listed:
        return None
    return existing.get(by_name)


def _party_values(
    party: PartyRecord, current: dict[str, Any] | None, columns: frozenset[Column]
) -> dict[str, Any]:
    values = {
        "identity_key": party.identity_key,
        "name": party.name,
        "party_type": party.party_type,
        "litigation_role": party.role,
        "id_number": party.id_number,
        "unverified_fields": _marks(dict(party.unverified), current, columns),
    }
    if current is not None and Column.id_number not in columns:
        values["id_number"] = current["id_number"]
    return values
