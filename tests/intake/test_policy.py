"""The import policy of issue 13: problems that do not prevent service are warnings that import and mark
the field 待核实; an import of the valid cases only takes each case whole or not at all and lists the
refused ones; re-importing the corrected file stays idempotent; the whole file stays the default."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from backend.audit.models import AuditLog
from backend.auth.roles import Role
from backend.cases.models import Case
from backend.cli import app
from backend.config import get_settings
from backend.courts.models import Court
from backend.intake.plan import SUMMARY_LABELS
from backend.parties.models import Party
from tests.intake.exports import CASE_1, CASE_2, HEADERS, credit_code, csv_bytes, person_id, row, write_csv
from tests.intake.test_api import wait_for_job

Headers = dict[str, str]
FUTURE = {"送达期限": "2027-01-20", "开庭时间": "2027-02-10 09:30"}
BAD_NUMBER = "2026京0102民初9号"
COMPANY = credit_code(7)
CASE_3 = CASE_2.replace("102号", "103号")


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("1" if number[17] == "0" else "0")


@pytest.fixture()
def clerk(login: Callable[..., Headers], db_session: Session) -> Headers:
    settings = get_settings()
    court = Court(code=settings.default_court_code, name=settings.default_court_name)
    db_session.add(court)
    db_session.commit()
    return login(Role.clerk, court_id=court.id)


def upload(client: TestClient, headers: Headers, rows: list[dict[str, Any]], **form: str) -> dict[str, Any]:
    files = {"file": ("导出.csv", csv_bytes(rows, encoding="utf-8-sig"), "text/csv")}
    response = client.post("/api/intake/imports", headers=headers, files=files, data=form)
    assert response.status_code == 202, response.text
    return wait_for_job(client, headers, response.json()["id"])


def export_rows(*, fixed: bool) -> list[dict[str, Any]]:
    """CASE_1 whole and valid (its plaintiff's ID with a wrong check digit unless FIXED); CASE_2 with a
    bad phone on its second row; a row whose case number cannot be read."""
    zhang_id = person_id(1) if fixed else wrong_check_digit(person_id(1))
    return [
        row(**FUTURE, 证件号码=zhang_id),
        row(**FUTURE, 当事人="北京某某科技有限公司", 当事人类型="法人", 诉讼地位="被告", 证件号码=COMPANY),
        row(**FUTURE, 案号=CASE_2, 案由="买卖合同纠纷", 当事人="李四", 证件号码=person_id(2)),
        row(
            **FUTURE,
            案号=CASE_2,
            案由="买卖合同纠纷",
            当事人="王五",
            证件号码=person_id(3),
            联系电话="13600136000" if fixed else "1.38001E+10",
        ),
        row(**FUTURE, 案号=CASE_3 if fixed else BAD_NUMBER, 当事人="赵六", 证件号码=""),
    ]


def _changes(summary: dict[str, Any]) -> int:
    counted = set(SUMMARY_LABELS) - {"rows", "warnings", "cases_refused", "rows_refused"}
    return sum(summary.get(key, 0) for key in counted)


def _count(db_session: Session, model: type, *conditions: Any) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def test_problems_that_do_not_prevent_service_import_as_warnings_marked_unverified(
    client: TestClient, clerk: Headers, db_session: Session
) -> None:
    rows = [
        row(证件号码=wrong_check_digit(person_id(1)), 送达期限="2026-11-02", 开庭时间="下周一上午"),
        row(
            当事人="北京某某科技有限公司",
            当事人类型="法人",
            诉讼地位="被告",
            证件号码=wrong_check_digit(credit_code(7)),
            电子邮箱="legal#example.com",
            送达期限="2027-01-20",
            开庭时间="下周一上午",
        ),
    ]
    job = upload(client, clerk, rows)
    assert job["status"] == "done" and job["errors"] == []
    warnings = {(w["row"], w["column"]): w["message"] for w in job["warnings"]}
    assert "身份证号码校验位不正确" in warnings[(2, "证件号码")] and "待核实" in warnings[(2, "证件号码")]
    assert "送达期限2026-11-02已过" in warnings[(2, "送达期限")]
    assert "无法识别" in warnings[(2, "开庭时间")] and "待核实" in warnings[(3, "开庭时间")]
    assert "统一社会信用代码校验位不正确" in warnings[(3, "证件号码")]
    assert "不是有效的电子邮箱地址" in warnings[(3, "电子邮箱")]
    assert (3, "送达期限") not in warnings

    case = db_session.scalars(select(Case).where(Case.case_number == CASE_1)).one()
    assert case.hearing_at is None and set(case.unverified_fields) == {"hearing_at"}
    listed = db_session.scalars(select(Party).where(Party.case_id == case.id))
    parties = {party.name: party for party in listed}
    zhang, company = parties["张三"], parties["北京某某科技有限公司"]
    assert zhang.id_number == wrong_check_digit(person_id(1))  # imported as written
    assert set(zhang.unverified_fields) == {"id_number", "deadline"}
    assert set(company.unverified_fields) == {"id_number", "emails"}
    shown = client.get(f"/api/parties/{zhang.id}", headers=clerk).json()
    assert "校验位" in shown["unverified_fields"]["id_number"]
    case_file = client.get(f"/api/cases/{case.id}/file", headers=clerk).json()
    assert "hearing_at" in case_file["case"]["unverified_fields"]
    marked = {party["name"]: set(party["unverified_fields"]) for party in case_file["parties"]}
    assert marked == {"张三": {"id_number", "deadline"}, "北京某某科技有限公司": {"id_number", "emails"}}


def test_the_whole_file_or_nothing_stays_the_default(
    client: TestClient, clerk: Headers, db_session: Session
) -> None:
    job = upload(client, clerk, export_rows(fixed=False))
    assert job["status"] == "failed" and job["valid_cases_only"] is False
    assert sorted(e["row"] for e in job["errors"]) == [5, 6]
    assert _count(db_session, Case) == 0 and _count(db_session, Party) == 0


def test_valid_cases_only_takes_each_case_whole_lists_the_refused_and_reimports_idempotently(
    client: TestClient, clerk: Headers, db_session: Session
) -> None:
    job = upload(client, clerk, export_rows(fixed=False), valid_cases_only="true")
    assert job["status"] == "partial" and job["status_label"] == "部分导入", job
    errors = [(e["row"], e["column"]) for e in job["errors"]]
    assert errors == [(5, "联系电话"), (6, "案号")]
    assert "科学计数法" in job["errors"][0]["message"] and "格式不正确" in job["errors"][1]["message"]
    assert [(w["row"], w["column"]) for w in job["warnings"] if w["row"]] == [(2, "证件号码")]
    summary = job["summary"]
    assert summary["refused_cases"] == [
        {"case_number": CASE_2, "rows": [4, 5]},  # row 4 is valid but goes with its case
        {"case_number": None, "rows": [6]},
    ]
    assert (summary["cases_refused"], summary["rows_refused"], summary["cases_created"]) == (1, 3, 1)
    assert [number for (number,) in db_session.execute(select(Case.case_number))] == [CASE_1]
    assert _count(db_session, Party) == 2  # nothing of CASE_2, not even its valid row

    corrected = upload(client, clerk, export_rows(fixed=True), valid_cases_only="true")
    assert corrected["status"] == "done" and corrected["errors"] == [], corrected["errors"]
    assert [w for w in corrected["warnings"] if w["row"]] == []
    assert corrected["summary"]["cases_created"] == 2 and corrected["summary"]["cases_updated"] == 0
    assert corrected["summary"]["parties_created"] == 3 and corrected["summary"]["parties_updated"] == 1
    db_session.expire_all()
    zhang = db_session.scalars(select(Party).where(Party.name == "张三")).one()
    assert zhang.id_number == person_id(1) and zhang.unverified_fields == {}  # the same party, corrected
    assert _count(db_session, Party, Party.name == "张三") == 1

    again = upload(client, clerk, export_rows(fixed=True))
    assert again["status"] == "done" and _changes(again["summary"]) == 0, again["summary"]
    assert _count(db_session, Case) == 3 and _count(db_session, Party) == 5


def test_the_problems_download_keeps_the_sheet_and_adds_the_messages_beside_it(
    client: TestClient, clerk: Headers, db_session: Session
) -> None:
    job = upload(client, clerk, export_rows(fixed=False), valid_cases_only="true")
    response = client.get(f"/api/intake/imports/{job['id']}/problems.xlsx", headers=clerk)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["问题清单"]
    rows = [list(values) for values in sheet.iter_rows(values_only=True)]
    assert rows[0] == [*HEADERS, "问题"]
    originals = [[cells.get(name) or None for name in HEADERS] for cells in export_rows(fixed=False)]
    assert [values[: len(HEADERS)] for values in rows[1:]] == originals  # the original cells, unchanged
    phone, number, id_number = (HEADERS.index(name) + 1 for name in ("联系电话", "案号", "证件号码"))
    problem = len(HEADERS) + 1
    assert "【错误】联系电话" in sheet.cell(5, problem).value and "科学计数法" in sheet.cell(5, problem).value
    assert "【错误】案号" in sheet.cell(6, problem).value
    assert "【警告】证件号码" in sheet.cell(2, problem).value and "待核实" in sheet.cell(2, problem).value
    assert sheet.cell(3, problem).value is None and sheet.cell(4, problem).value is None
    fills = {(r, c): sheet.cell(r, c).fill.fgColor.rgb for r, c in [(5, phone), (6, number), (2, id_number)]}
    assert fills == {(5, phone): "00FFC7CE", (6, number): "00FFC7CE", (2, id_number): "00FFEB9C"}
    assert sheet.cell(5, number).fill.fgColor.rgb != "00FFC7CE"  # only the cells in question
    audit = db_session.scalars(select(AuditLog).where(AuditLog.action == "intake_problems_read")).all()
    assert [entry.object_id for entry in audit] == [str(job["id"])]

    sheet.cell(5, phone).value = "13600136000"  # the clerk fixes the highlighted cells and uploads it again
    sheet.cell(6, number).value = CASE_3
    buffer = io.BytesIO()
    workbook.save(buffer)
    files = {"file": ("问题清单-已改正.xlsx", buffer.getvalue(), "application/octet-stream")}
    response = client.post("/api/intake/imports", headers=clerk, files=files)
    corrected = wait_for_job(client, clerk, response.json()["id"])
    assert corrected["status"] == "done", corrected["errors"]
    assert corrected["summary"]["cases_created"] == 2 and corrected["summary"]["cases_updated"] == 0


def test_songda_import_valid_only_writes_the_valid_cases_and_names_the_refused(
    tmp_path: Path, db_session: Session
) -> None:
    path = write_csv(tmp_path / "export.csv", export_rows(fixed=False))
    result = CliRunner().invoke(app, ["import", str(path), "--valid-only"], env={"COLUMNS": "220"})
    assert result.exit_code == 1, result.output  # not everything was imported
    assert f"被拒：{CASE_2}（第4、5行）" in result.output and "被拒：案号无法识别（第6行）" in result.output
    assert "所在案件未导入" in result.output and "已导入 export.csv" in result.output
    assert list(db_session.scalars(select(Case.case_number))) == [CASE_1]
