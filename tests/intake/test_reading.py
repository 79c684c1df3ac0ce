"""The export's encodings and formats, header tolerance, and file-level errors."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.cases.models import Case
from backend.intake.reading import read_sheet
from backend.parties.models import ContactPoint, Party
from tests.intake.exports import CASE_1, HEADERS, csv_bytes, row, run_import, two_party_rows, write_xlsx

pytestmark = pytest.mark.usefixtures("db")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8", "utf-16"])
def test_csv_in_every_encoding_court_systems_write(
    tmp_path: Path, encoding: str, db_session: Session
) -> None:
    path = tmp_path / "export.csv"
    data = csv_bytes(two_party_rows())
    path.write_bytes(data.decode("utf-8").encode(encoding))
    job = run_import(path)
    assert job.status == "done", job.errors
    assert job.summary["cases_created"] == 2
    names = set(db_session.scalars(select(Party.name)))
    assert names == {"张三", "北京某某科技有限公司", "李四"}


def test_gbk_csv_with_a_rare_character_decodes_as_gb18030(tmp_path: Path, db_session: Session) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([row(当事人="王𠀀")], encoding="gb18030"))
    assert run_import(path).status == "done"
    assert db_session.scalar(select(Party.name)) == "王𠀀"


def test_xlsx_with_numeric_and_date_cells(tmp_path: Path, db_session: Session) -> None:
    from datetime import datetime

    cells = row(
        联系电话=13800138000,
        立案日期=datetime(2026, 3, 1),
        开庭时间=datetime(2026, 4, 10, 9, 30),
        送达期限=46101,
    )
    job = run_import(write_xlsx(tmp_path / "export.xlsx", [cells]))
    assert job.status == "done", job.errors
    case = db_session.scalars(select(Case)).one()
    assert case.filed_on.isoformat() == "2026-03-01"
    assert case.hearing_at is not None and case.hearing_at.isoformat() == "2026-04-10T01:30:00+00:00"
    assert case.service_deadline is not None and case.service_deadline.isoformat() == "2026-03-20"
    phones = db_session.scalars(select(ContactPoint.value).where(ContactPoint.kind == "phone"))
    assert list(phones) == ["13800138000"]


def test_headers_in_any_order_with_spaces_title_row_and_extra_columns(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["北京市西城区人民法院 案件导出 2026年3月"])
    headers = [" 备注 ", *[f"　{name} " for name in reversed(HEADERS)]]
    sheet.append(headers)
    sheet.append(["", *[row().get(name) for name in reversed(HEADERS)]])
    sheet.append([])
    sheet.append(["x", *[row(当事人="赵六", 证件号码="").get(name) for name in reversed(HEADERS)]])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    sheet_read = read_sheet(path)
    assert [r.number for r in sheet_read.rows] == [3, 5]  # the rows a clerk sees in Excel
    assert run_import(path).status == "done"


def test_missing_required_header_is_a_file_level_error(tmp_path: Path, db_session: Session) -> None:
    headers = [name for name in HEADERS if name not in ("诉讼地位", "案件类型")]
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([row()], headers=headers))
    job = run_import(path)
    assert job.status == "failed"
    assert {(e["row"], e["column"]) for e in job.errors} == {(1, "诉讼地位"), (1, "案件类型")}
    assert all("缺少必需的列" in e["message"] for e in job.errors)
    assert db_session.scalar(select(func.count()).select_from(Case)) == 0


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    headers = ["案号", "案由", "案件类型", "立案日期", "当事人", "当事人类型", "诉讼地位", "联系电话"]
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes([row()], headers=headers))
    job = run_import(path)
    assert job.status == "done", job.errors
    assert job.summary["deliveries_created"] == 0


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (b"\xd0\xcf\x11\xe0rest-of-an-old-excel-file", "export.xls", ".xls"),
        (b"PK\x03\x04not really a zip", "export.xlsx", "无法读取XLSX"),
        (b"%PDF-1.4", "export.pdf", "不支持的文件类型"),
        ("姓名,电话\n张三,138\n".encode(), "export.csv", "未找到表头"),
        ("案号,案号,案由\n".encode(), "export.csv", "出现了两次"),
        (",".join(HEADERS).encode("gbk") + b"\r\n,,,\r\n", "export.csv", "没有数据行"),
    ],
)
def test_unreadable_files_are_refused_whole(tmp_path: Path, content: bytes, name: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    job = run_import(path)
    assert job.status == "failed" and fragment in job.errors[0]["message"]


def test_quoted_multiline_cell_keeps_spreadsheet_row_numbers(tmp_path: Path) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerow([row(送达地址="北京市西城区\n金融大街1号")[name] for name in HEADERS])
    writer.writerow([row(当事人="李四", 证件号码="", 联系电话="12345")[name] for name in HEADERS])
    path = tmp_path / "export.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    job = run_import(path)
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "联系电话")]
    assert job.errors[0]["value"] == "12345"
    assert CASE_1 not in job.errors[0]["message"]
