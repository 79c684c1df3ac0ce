"""Reading, validating and matching document files: everything before the database is touched."""

from dataclasses import dataclass, field
from pathlib import Path

from backend.intake.crossrows import ExportContent
from backend.intake.documents import DocumentFile, DocumentKey, DocumentSource, match_documents, open_source
from backend.intake.enums import Column
from backend.intake.filestore import StoredFile, store
from backend.intake.issues import FileRejected, RowIssue
from backend.intake.progress import ProgressListener
from backend.intake.reading import read_sheet
from backend.intake.validation import CaseMemo, check_row, row_case_number


@dataclass(slots=True, frozen=True)
class RefusedCase:
    """A case left out of an import of the valid cases: its rows, the first of them with an error."""

    case_number: str | None  # None: a row whose case number cannot be read, refused on its own
    rows: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        return {"case_number": self.case_number, "rows": list(self.rows)}


@dataclass(slots=True)
class Analysis:
    """A validated export; written whole when it has no errors, or its valid cases only when asked."""

    columns: frozenset[Column]
    content: ExportContent
    total_rows: int
    document_files: dict[DocumentKey, DocumentFile] = field(default_factory=dict)
    refused: list[RefusedCase] = field(default_factory=list)

    @property
    def refused_rows(self) -> int:
        return sum(len(case.rows) for case in self.refused)

    @property
    def errors(self) -> list[RowIssue]:
        return self.content.errors

    @property
    def warnings(self) -> list[RowIssue]:
        return self.content.warnings


def analyse_export(
    *,
    source: Path,
    documents: DocumentSource | None,
    court_code: str,
    progress: ProgressListener,
    valid_cases_only: bool = False,
) -> Analysis:
    """Read SOURCE and check every row; FileRejected when the file as a whole is unusable.
    With VALID_CASES_ONLY, every case with an error on any of its rows is left out whole."""
    sheet = read_sheet(source)
    if not sheet.rows:
        raise FileRejected([RowIssue(None, None, None, "表中只有表头，没有数据行")])
    progress.total(len(sheet.rows))
    content = ExportContent()
    memo: CaseMemo = {}
    for done, row in enumerate(sheet.rows, start=1):
        result = check_row(row, court_code, memo)
        content.errors.extend(result.errors)
        content.warnings.extend(result.warnings)
        if result.case is not None:
            content.add_case(row.number, result.case)
        if result.party is not None:
            content.add_party(result.party)
        progress.rows_done(done)
    analysis = Analysis(columns=sheet.columns, content=content, total_rows=len(sheet.rows))
    if valid_cases_only and content.errors:
        row_cases = {row.number: row_case_number(row, court_code) for row in sheet.rows}
        analysis.refused = _refuse_cases(content, row_cases)
    _match_files(analysis, documents)
    return analysis


def _refuse_cases(content: ExportContent, row_cases: dict[int, str | None]) -> list[RefusedCase]:
    """Drop every case with an error from CONTENT; the refused cases with all their rows, in file order."""
    bad_rows = {issue.row for issue in content.errors if issue.row is not None}
    refused_numbers = {number for row in bad_rows if (number := row_cases.get(row)) is not None}
    content.drop_cases(refused_numbers)
    refused: dict[str | int, list[int]] = {}
    for row, number in row_cases.items():
        if number in refused_numbers:
            refused.setdefault(number, []).append(row)
        elif number is None and row in bad_rows:
            refused[row] = [row]
    return [
        RefusedCase(key if isinstance(key, str) else None, tuple(rows))
        for key, rows in sorted(refused.items(), key=lambda item: item[1][0])
    ]


def _match_files(analysis: Analysis, documents: DocumentSource | None) -> None:
    wanted: dict[DocumentKey, int] = {}
    for party in analysis.content.parties.values():
        for name in party.documents:
            wanted.setdefault((party.case_number, name), party.row)
    if documents is None:
        if wanted:
            message = "未提供文书文件（文件夹或zip），本次导入只登记文书名称"
            analysis.warnings.append(RowIssue(None, Column.documents.value, None, message))
        return
    matches = match_documents(documents, wanted)
    analysis.document_files = matches.files
    analysis.warnings.extend(matches.warnings)


def store_files(
    *, documents: DocumentSource, analysis: Analysis, documents_dir: Path, copy: bool
) -> dict[DocumentKey, StoredFile]:
    """Copy the matched files into the content-addressed store (only hash them when not COPY)."""
    stored = {}
    for key, file in analysis.document_files.items():
        with documents.open(file.path) as stream:
            stored[key] = store(stream, suffix=file.suffix, documents_dir=documents_dir, copy=copy)
    return stored


def open_documents(path: Path | None) -> DocumentSource | None:
    """The document source at PATH; FileRejected when it is neither a folder nor a zip."""
    if path is None:
        return None
    try:
        return open_source(path)
    except (ValueError, OSError) as exc:
        raise FileRejected([RowIssue(None, None, path.name, str(exc))]) from exc
