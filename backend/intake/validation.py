"""Row validation: every cell of a row checked and normalised, each problem with its row number.

Errors refuse the row. Problems that do not prevent service are warnings: the value is imported (or,
when it cannot be read at all, left empty) and its field is marked 待核实 on the record — an ID number
with a wrong check digit, a 送达期限 already past, an unreadable 开庭时间 or e-mail address.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from backend.cases.enums import CaseType
from backend.core.clock import court_today
from backend.intake import normalize, vocabulary
from backend.intake.dates import parse_date, parse_local_datetime
from backend.intake.enums import Column
from backend.intake.identity import identity_key, parse_id_number
from backend.intake.issues import RowIssue, shown_value
from backend.intake.normalize import CellError, UnverifiedValue, clean_name, clean_text, is_blank
from backend.intake.reading import SheetRow
from backend.parties.enums import LitigationRole, PartyType

T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class CaseFields:
    """The case-level cells of one row."""

    case_number: str
    cause: str
    case_type: CaseType
    filed_on: date
    judge_name: str | None
    clerk_name: str | None
    hearing_at: datetime | None
    unverified: tuple[tuple[str, str], ...] = ()  # (field, why) marked 待核实 on the case


@dataclass(slots=True, frozen=True)
class PartyRecord:
    """One valid row: a party of a case, its contact points and the documents to serve on it."""

    row: int
    case_number: str
    identity_key: str
    name: str
    party_type: PartyType
    role: LitigationRole
    id_number: str | None
    phones: tuple[str, ...]
    addresses: tuple[str, ...]
    emails: tuple[str, ...]
    documents: tuple[str, ...]
    deadline: date | None
    unverified: tuple[tuple[str, str], ...] = ()  # (field, why) marked 待核实 on the party


CASE_COLUMNS = (
    Column.case_number,
    Column.cause,
    Column.case_type,
    Column.filed_on,
    Column.judge,
    Column.clerk,
    Column.hearing_at,
)
# Raw case cells -> parsed fields, errors and warnings (column, value, message), shared by a file's rows.
IssueCells = list[tuple[str | None, str | None, str]]
CaseMemo = dict[tuple[object, ...], tuple[CaseFields | None, IssueCells, IssueCells]]
UNVERIFIED_SUFFIX = "，已导入并标记为待核实"


class RowChecker:
    """Validates one row at a time, collecting problems instead of stopping at the first."""

    def __init__(self, row: SheetRow, court_code: str) -> None:
        self.row = row
        self.court_code = court_code
        self.issues: list[RowIssue] = []
        self.warnings: list[RowIssue] = []
        self.marks: dict[str, str] = {}  # party field -> why it is 待核实

    def marked_cell(self, column: Column, parse: Callable[[Any], T]) -> tuple[T | None, str | None]:
        """An optional cell whose flaw does not prevent service: (value or None, why it is 待核实)."""
        raw = self.row.cells.get(column)
        if is_blank(raw):
            return None, None
        try:
            return parse(raw), None
        except UnverifiedValue as exc:
            self.warn(column, raw, str(exc))
            return exc.value, str(exc)  # type: ignore[return-value]
        except CellError as exc:
            message = f"{exc}{UNVERIFIED_SUFFIX}（此项留空）"
            self.warn(column, raw, message)
            return None, message

    def warn(self, column: Column, raw: object, message: str) -> None:
        self.warnings.append(RowIssue(self.row.number, column.value, shown_value(raw), message))

    def cell(self, column: Column, parse: Callable[[Any], T], *, required: bool = False) -> T | None:
        """The parsed cell, or None when it is blank or wrong (then an issue is recorded)."""
        raw = self.row.cells.get(column)
        if is_blank(raw):
            if required:
                self.issue(column, raw, f"必填项“{column.value}”为空")
            return None
        try:
            return parse(raw)
        except CellError as exc:
            self.issue(column, raw, str(exc))
            return None

    def issue(self, column: Column, raw: object, message: str) -> None:
        self.issues.append(RowIssue(self.row.number, column.value, shown_value(raw), message))

    def case_fields(self) -> CaseFields | None:
        case_number = self.cell(Column.case_number, self._case_number, required=True)
        cause = self.cell(Column.cause, _bounded_text(200, "案由"), required=True)
        case_type = self.cell(Column.case_type, vocabulary.parse_case_type, required=True)
        filed_on = self.cell(Column.filed_on, parse_date, required=True)
        judge = self.cell(Column.judge, _bounded_name(50, "承办法官"))
        clerk = self.cell(Column.clerk, _bounded_name(50, "书记员"))
        hearing_at, hearing_flaw = self.marked_cell(Column.hearing_at, parse_local_datetime)
        if case_number is None or cause is None or case_type is None or filed_on is None:
            return None
        marks = (("hearing_at", hearing_flaw),) if hearing_flaw else ()
        return CaseFields(case_number, cause, case_type, filed_on, judge, clerk, hearing_at, marks)

    def remembered_case_fields(self, memo: "CaseMemo") -> CaseFields | None:
        """The rows of one case repeat its cells: parse each distinct set once."""
        key = tuple(self.row.cells.get(column) for column in CASE_COLUMNS)
        remembered = memo.get(key)
        if remembered is None:
            fields = self.case_fields()
            memo[key] = (fields, _cells(self.issues), _cells(self.warnings))
            return fields
        fields, issues, warnings = remembered
        self.issues.extend(RowIssue(self.row.number, *cells) for cells in issues)
        self.warnings.extend(RowIssue(self.row.number, *cells) for cells in warnings)
        return fields

    def party(self, case: CaseFields | None) -> PartyRecord | None:
        name = self.cell(Column.party_name, _bounded_name(100, "当事人名称"), required=True)
        party_type = self.cell(Column.party_type, vocabulary.parse_party_type, required=True)
        role = self.cell(Column.role, vocabulary.parse_role, required=True)
        id_number = None
        if party_type is not None:
            id_number = self._id_number(party_type)
        phones = self.cell(Column.phones, normalize.parse_phones) or []
        addresses = self.cell(Column.addresses, normalize.parse_addresses) or []
        emails, email_flaw = self.marked_cell(Column.emails, normalize.parse_emails)
        if email_flaw:
            self.marks["emails"] = email_flaw
        documents = self.cell(Column.documents, normalize.parse_document_names) or []
        deadline = self.cell(Column.deadline, parse_date)
        if deadline is not None and deadline < court_today():
            self._mark_past_deadline(deadline)
        if self.issues or case is None or name is None or party_type is None or role is None:
            return None
        # An ID number marked 待核实 does not identify the party: a corrected export finds it by name.
        trusted_id = None if "id_number" in self.marks else id_number
        key = identity_key(id_number=trusted_id, party_type=party_type, name=name)
        return PartyRecord(
            row=self.row.number,
            case_number=case.case_number,
            identity_key=key,
            name=name,
            party_type=party_type,
            role=role,
            id_number=id_number,
            phones=tuple(phones),
            addresses=tuple(addresses),
            emails=tuple(emails or ()),
            documents=tuple(documents),
            deadline=deadline,
            unverified=tuple(sorted(self.marks.items())),
        )

    def _id_number(self, party_type: PartyType) -> str | None:
        raw = self.row.cells.get(Column.id_number)
        if is_blank(raw):
            return None
        try:
            return parse_id_number(raw, party_type)
        except UnverifiedValue as exc:
            self.warn(Column.id_number, raw, str(exc))
            self.marks["id_number"] = str(exc)
            return str(exc.value)
        except CellError as exc:
            self.issue(Column.id_number, raw, str(exc))
            return None

    def _mark_past_deadline(self, deadline: date) -> None:
        message = f"送达期限{deadline.isoformat()}已过{UNVERIFIED_SUFFIX}"
        self.warn(Column.deadline, self.row.cells.get(Column.deadline), message)
        self.marks["deadline"] = message

    def _case_number(self, raw: object) -> str:
        return vocabulary.parse_case_number(raw, self.court_code)


def _bounded_text(limit: int, label: str) -> Callable[[object], str]:
    def parse(raw: object) -> str:
        text = clean_text(raw)
        if len(text) > limit:
            raise CellError(f"{label}超过{limit}字")
        return text

    return parse


def _bounded_name(limit: int, label: str) -> Callable[[object], str]:
    def parse(raw: object) -> str:
        text = clean_name(raw)
        if len(text) > limit:
            raise CellError(f"{label}超过{limit}字")
        return text

    return parse


def _cells(issues: list[RowIssue]) -> IssueCells:
    return [(issue.column, issue.value, issue.message) for issue in issues]


@dataclass(slots=True)
class RowResult:
    """One row checked: its case fields and party (None where invalid), its errors and warnings."""

    case: CaseFields | None
    party: PartyRecord | None
    errors: list[RowIssue]
    warnings: list[RowIssue]


def check_row(row: SheetRow, court_code: str, memo: CaseMemo | None = None) -> RowResult:
    """The case fields and party of ROW (None where invalid) and the row's problems."""
    checker = RowChecker(row, court_code)
    case = checker.case_fields() if memo is None else checker.remembered_case_fields(memo)
    party = checker.party(case)
    return RowResult(case, party, checker.issues, checker.warnings)


def row_case_number(row: SheetRow, court_code: str) -> str | None:
    """The row's case number when it can be read: the case a refused row takes down with it."""
    raw = row.cells.get(Column.case_number)
    try:
        return None if is_blank(raw) else vocabulary.parse_case_number(raw, court_code)
    except CellError:
        return None
