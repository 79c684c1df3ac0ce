"""The problems of an import as an Excel file the clerk can fix and upload again: the original sheet's rows
and columns as they were, a 问题 column beside them with each row's messages, and the cells in question
highlighted (red: error, the row was not imported; yellow: warning, imported and marked 待核实). The
reader ignores the 问题 column, so the corrected file is imported as it is."""

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]

from backend.intake.enums import Column
from backend.intake.reading import HEADER_SEARCH_ROWS, canonical_column, read_records

PROBLEM_HEADER = "问题"
ERROR_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
WARNING_FILL = PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C")
LEVELS = {"error": ("错误", ERROR_FILL), "warning": ("警告", WARNING_FILL)}
Issue = dict[str, Any]
RowProblems = dict[int, list[tuple[str, Issue]]]  # spreadsheet row -> (level, issue)


def write_problems(*, source: Path, errors: list[Issue], warnings: list[Issue], out: IO[bytes]) -> None:
    """Write the problems workbook of the export at SOURCE to OUT."""
    by_row: RowProblems = {}
    file_issues: list[tuple[str, Issue]] = []
    for level, issues in (("error", errors), ("warning", warnings)):
        for issue in issues:
            if issue["row"] is None:
                file_issues.append((level, issue))
            else:
                by_row.setdefault(issue["row"], []).append((level, issue))
    workbook = Workbook(write_only=True)
    _write_rows(workbook.create_sheet("问题清单"), read_records(source), by_row)
    _write_file_issues(workbook.create_sheet("文件问题"), file_issues)
    workbook.save(out)


def _header_positions(record: Sequence[object]) -> dict[str, int] | None:
    """Column name -> position when RECORD is the header row (it names 案号)."""
    positions: dict[str, int] = {}
    for index, raw in enumerate(record):
        column = canonical_column(raw)
        if column is not None:
            positions.setdefault(column.value, index)
    return positions if Column.case_number.value in positions else None


def _write_rows(sheet: Any, records: Iterable[Sequence[object]], by_row: RowProblems) -> None:
    positions: dict[str, int] | None = None
    width = 0
    for number, record in enumerate(records, start=1):
        values = list(record)
        if positions is None and number <= HEADER_SEARCH_ROWS:
            positions = _header_positions(values)
            if positions is not None:
                width = len(values)
                header = WriteOnlyCell(sheet, value=PROBLEM_HEADER)
                header.font = Font(bold=True)
                sheet.append([*values, header])
                continue
        problems = by_row.get(number, [])
        if not problems or positions is None:
            sheet.append(values)
            continue
        sheet.append(_marked_row(sheet, values, width, positions, problems))


def _marked_row(
    sheet: Any, values: list[object], width: int, positions: dict[str, int], problems: list[tuple[str, Issue]]
) -> list[Any]:
    cells: list[Any] = [WriteOnlyCell(sheet, value=value) for value in values]
    cells.extend(WriteOnlyCell(sheet, value=None) for _ in range(max(width - len(cells), 0)))
    lines = []
    for level, issue in problems:
        label, fill = LEVELS[level]
        index = positions.get(issue["column"] or "")
        if index is not None and cells[index].fill != ERROR_FILL:
            cells[index].fill = fill
        lines.append(f"【{label}】{issue['column'] or '整行'}：{issue['message']}")
    note = WriteOnlyCell(sheet, value="\n".join(lines))
    note.fill = ERROR_FILL if any(level == "error" for level, _ in problems) else WARNING_FILL
    note.alignment = Alignment(wrap_text=True, vertical="top")
    return [*cells, note]


def _write_file_issues(sheet: Any, issues: list[tuple[str, Issue]]) -> None:
    sheet.append(["级别", "内容", "问题"])
    for level, issue in issues:
        sheet.append([LEVELS[level][0], issue["value"], issue["message"]])
