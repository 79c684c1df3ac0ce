"""Builders of court exports for the intake tests: rows as the court system writes them."""

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

from backend.database import get_session
from backend.intake import service
from backend.intake.identity import credit_code_check_char, resident_id_check_char
from backend.intake.models import ImportJob

HEADERS = [
    "案号", "案由", "案件类型", "立案日期", "承办法官", "书记员", "当事人", "当事人类型", "诉讼地位",
    "证件号码", "联系电话", "送达地址", "电子邮箱", "待送达文书", "开庭时间", "送达期限",
]  # fmt: skip

CASE_1 = "(2026)京0102民初101号"
CASE_2 = "(2026)京0102民初102号"


def person_id(serial: int, born: str = "19850312") -> str:
    first17 = f"110102{born}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(serial: int) -> str:
    first17 = f"9111010{serial % 10**10:010d}"
    return first17 + credit_code_check_char(first17)


def row(**cells: Any) -> dict[str, Any]:
    """A valid row of a plaintiff in CASE_1; keyword arguments override cells by header."""
    base: dict[str, Any] = {
        "案号": CASE_1,
        "案由": "民间借贷纠纷",
        "案件类型": "民事",
        "立案日期": "2026-03-01",
        "承办法官": "王法官",
        "书记员": "李书记",
        "当事人": "张三",
        "当事人类型": "自然人",
        "诉讼地位": "原告",
        "证件号码": person_id(1),
        "联系电话": "13800138000",
        "送达地址": "北京市西城区金融大街1号",
        "电子邮箱": "zhangsan@example.com",
        "待送达文书": "传票；起诉状副本",
        "开庭时间": "2026-04-10 09:30",
        "送达期限": "2026-03-20",
    }
    base.update(cells)
    return base


def two_party_rows() -> list[dict[str, Any]]:
    """A plaintiff (person) and a defendant (company) in CASE_1, and one party in CASE_2."""
    return [
        row(),
        row(
            当事人="北京某某科技有限公司",
            当事人类型="法人",
            诉讼地位="被告",
            证件号码=credit_code(7),
            联系电话="010-62345678；13900139000",
            送达地址="北京市西城区西直门外大街18号",
            电子邮箱="",
            待送达文书="传票；应诉通知书；起诉状副本",
        ),
        row(
            案号=CASE_2,
            案由="买卖合同纠纷",
            案件类型="商事",
            当事人="李四",
            证件号码=person_id(2),
            联系电话="13700137000",
            电子邮箱="",
            待送达文书="传票",
        ),
    ]


def csv_bytes(
    rows: Sequence[dict[str, Any]], headers: Sequence[str] = HEADERS, encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for cells in rows:
        writer.writerow(["" if cells.get(h) is None else cells.get(h) for h in headers])
    return buffer.getvalue().encode(encoding)


def write_csv(
    path: Path, rows: Sequence[dict[str, Any]], *, encoding: str = "utf-8-sig", **kwargs: Any
) -> Path:
    path.write_bytes(csv_bytes(rows, encoding=encoding, **kwargs))
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, Any]], headers: Sequence[str] = HEADERS) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headers))
    for cells in rows:
        sheet.append([cells.get(h) for h in headers])
    workbook.save(path)
    return path


def run_import(source: Path, **options: Any) -> ImportJob:
    """Create and run an import job synchronously, as the CLI does."""
    with get_session() as session:
        job = service.create_job(db_session=session, filename=source.name, source_path=source, **options)
        job_id = job.id
    return service.run_job(job_id=job_id)


def errors_by_row(job: ImportJob) -> dict[int | None, list[dict[str, Any]]]:
    found: dict[int | None, list[dict[str, Any]]] = {}
    for issue in job.errors:
        found.setdefault(issue["row"], []).append(issue)
    return found
