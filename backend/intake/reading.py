"""Reading the export: CSV (UTF-8 with or without BOM, GBK/GB18030, UTF-16) and XLSX."""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from backend.intake.enums import COLUMN_ALIASES, REQUIRED_COLUMNS, Column
from backend.intake.issues import FileRejected, RowIssue
from backend.intake.normalize import clean_text, is_blank

HEADER_SEARCH_ROWS = 10  # a title line or two may sit above the header
SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")


@dataclass(slots=True)
class SheetRow:
    number: int  # the spreadsheet row the clerk sees; the header is row 1 in a plain export
    cells: dict[Column, object]


@dataclass(slots=True)
class Sheet:
    columns: frozenset[Column]
    rows: list[SheetRow]


def read_sheet(path: Path) -> Sheet:
    """All data rows of the export at PATH; FileRejected when the file as a whole is unusable."""
    return _sheet_from_records(read_records(path))


def read_records(path: Path) -> Iterable[Sequence[object]]:
    """Every row of the export's first sheet as it is (title lines and header included)."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise _rejected("不支持旧版Excel(.xls)文件，请另存为.xlsx或CSV后导入")
    if magic.startswith(b"PK\x03\x04"):
        return _xlsx_records(path)
    if path.suffix.lower() not in (".csv", ".txt"):
        raise _rejected(f"不支持的文件类型「{path.suffix}」，请上传CSV或XLSX文件")
    return _csv_records(path.read_bytes())


def _rejected(message: str, column: str | None = None) -> FileRejected:
    return FileRejected([RowIssue(row=None, column=column, value=None, message=message)])


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM (Excel's Unicode text), else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _rejected("无法识别文件编码，请另存为UTF-8或GBK编码的CSV文件")


def _csv_records(data: bytes) -> Iterable[Sequence[object]]:
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_records(path: Path) -> Iterable[Sequence[object]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise _rejected("无法读取XLSX文件，文件可能已损坏") from exc
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def canonical_column(raw: object) -> Column | None:
    """The column a header names, tolerating spaces (full-width too), * markers and aliases."""
    text = clean_text(raw).replace(" ", "").strip("*:")
    if text in Column._value2member_map_:
        return Column(text)
    return COLUMN_ALIASES.get(text)


def _sheet_from_records(records: Iterable[Sequence[object]]) -> Sheet:
    iterator = iter(records)
    header: dict[int, Column] | None = None
    header_row = 0
    for number, record in enumerate(iterator, start=1):
        header = _header_map(record, number)
        if header is not None or number >= HEADER_SEARCH_ROWS:
            header_row = number
            break
    if header is None:
        raise _rejected("未找到表头：前10行中没有包含“案号”“当事人”等列名的行")
    rows = []
    for number, record in enumerate(iterator, start=header_row + 1):
        cells = {column: record[index] for index, column in header.items() if index < len(record)}
        if not all(is_blank(value) for value in cells.values()):
            rows.append(SheetRow(number=number, cells=cells))
    return Sheet(columns=frozenset(header.values()), rows=rows)


def _header_map(record: Sequence[object], number: int) -> dict[int, Column] | None:
    """Column positions if RECORD is the header row; FileRejected if it is one with flaws."""
    positions: dict[int, Column] = {}
    for index, raw in enumerate(record):
        column = canonical_column(raw)
        if column is None:
            continue
        if column in positions.values():
            raise _rejected(f"第{number}行表头中“{column}”列出现了两次", column.value)
        positions[index] = column
    if Column.case_number not in positions.values():
        return None
    missing = [column.value for column in REQUIRED_COLUMNS if column not in positions.values()]
    if missing:
        issues = [RowIssue(number, name, None, f"缺少必需的列“{name}”") for name in missing]
        raise FileRejected(issues)
    return positions
