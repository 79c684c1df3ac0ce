"""Checks across rows: one case told the same way on every row, each party listed once."""

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime

from backend.cases.enums import CASE_TYPE_LABELS, CaseType
from backend.intake.dates import COURT_TIMEZONE
from backend.intake.enums import Column
from backend.intake.issues import RowIssue
from backend.intake.validation import CaseFields, PartyRecord

_REQUIRED_CASE_FIELDS = (
    ("cause", Column.cause),
    ("case_type", Column.case_type),
    ("filed_on", Column.filed_on),
)
_OPTIONAL_CASE_FIELDS = (
    ("judge_name", Column.judge),
    ("clerk_name", Column.clerk),
    ("hearing_at", Column.hearing_at),
)
_PARTY_FIELDS = (
    ("name", Column.party_name),
    ("party_type", Column.party_type),
    ("role", Column.role),
    ("phones", Column.phones),
    ("addresses", Column.addresses),
    ("emails", Column.emails),
    ("documents", Column.documents),
    ("deadline", Column.deadline),
)


@dataclass(slots=True)
class CaseRecord:
    """A case as the whole file tells it: the merged case cells and the earliest 送达期限."""

    fields: CaseFields
    first_row: int
    service_deadline: date | None = None
    unverified: dict[str, str] = field(default_factory=dict)  # field -> why, 待核实 on the case


@dataclass(slots=True)
class ExportContent:
    """The validated file: cases in file order, parties, and every error and warning."""

    cases: dict[str, CaseRecord] = field(default_factory=dict)
    parties: dict[tuple[str, str], PartyRecord] = field(default_factory=dict)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)

    def add_case(self, row: int, fields: CaseFields) -> None:
        record = self.cases.get(fields.case_number)
        if record is None:
            record = self.cases[fields.case_number] = CaseRecord(fields=fields, first_row=row)
            record.unverified.update(fields.unverified)
            return
        record.unverified.update(fields.unverified)
        for name, column in _REQUIRED_CASE_FIELDS + _OPTIONAL_CASE_FIELDS:
            first, later = getattr(record.fields, name), getattr(fields, name)
            if first is None and later is not None:
                record.fields = dataclasses.replace(record.fields, **{name: later})
            elif later is not None and later != first:
                message = f"同一案件在第{record.first_row}行的{column.value}为「{_shown(first)}」，此行不一致"
                self.errors.append(RowIssue(row, column.value, _shown(later), message))

    def add_party(self, party: PartyRecord) -> None:
        key = (party.case_number, party.identity_key)
        first = self.parties.get(key)
        if first is None:
            self.parties[key] = party
            self._note_deadline(party)
            return
        differing = [
            column.value for name, column in _PARTY_FIELDS if getattr(first, name) != getattr(party, name)
        ]
        if not differing:
            message = f"与第{first.row}行完全相同，已忽略"
            self.warnings.append(RowIssue(party.row, None, None, message))
            return
        message = f"与第{first.row}行是同一案件的同一当事人，但{'、'.join(differing)}不一致"
        self.errors.append(RowIssue(party.row, differing[0], party.name, message))

    def drop_cases(self, case_numbers: set[str]) -> None:
        """Leave out these cases and their parties, whole (an import of the valid cases only)."""
        self.cases = {number: record for number, record in self.cases.items() if number not in case_numbers}
        self.parties = {key: party for key, party in self.parties.items() if key[0] not in case_numbers}

    def _note_deadline(self, party: PartyRecord) -> None:
        record = self.cases.get(party.case_number)
        if record is None or party.deadline is None:
            return
        if record.service_deadline is None or party.deadline < record.service_deadline:
            record.service_deadline = party.deadline


def _shown(value: object) -> str:
    if isinstance(value, CaseType):
        return CASE_TYPE_LABELS[value]
    if isinstance(value, datetime):
        return value.astimezone(COURT_TIMEZONE).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
