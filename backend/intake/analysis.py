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
from backend.intake.validation import CaseMemo, check_row


@dataclass(slots=True)
class Analysis:
    """A validated export; it may be written only when it has no errors."""

    columns: frozenset[Column]
    content: ExportContent
    total_rows: int
    document_files: dict[DocumentKey, DocumentFile] = field(default_factory=dict)

    @property
    def errors(self) -> list[RowIssue]:
        return self.content.errors

    @property
    def warnings(self) -> list[RowIssue]:
        return self.content.warnings


def analyse_export(
    *, source: Path, documents: DocumentSource | None, court_code: str, progress: ProgressListener
) -> Analysis:
    """Read SOURCE and check every row; FileRejected when the file as a whole is unusable."""
    sheet = read_sheet(source)
    if not sheet.rows:
        raise FileRejected([RowIssue(None, None, None, "表中只有表头，没有数据行")])
    progress.total(len(sheet.rows))
    content = ExportContent()
    memo: CaseMemo = {}
    for done, row in enumerate(sheet.rows, start=1):
        case, party, issues = check_row(row, court_code, memo)
        content.errors.extend(issues)
        if case is not None:
            content.add_case(row.number, case)
        if party is not None:
            content.add_party(party)
        progress.rows_done(done)
    analysis = Analysis(columns=sheet.columns, content=content, total_rows=len(sheet.rows))
    _match_files(analysis, documents)
    return analysis


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
