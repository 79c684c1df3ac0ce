"""Every kind of bad row is reported with the row number the clerk sees, and nothing is written."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.cases.models import Case
from backend.courts.models import Court
from backend.documents.models import Document
from backend.intake.normalize import SCIENTIFIC_PHONE
from backend.parties.models import ContactPoint, Party
from tests.intake.exports import (
    CASE_1,
    credit_code,
    errors_by_row,
    person_id,
    row,
    run_import,
    two_party_rows,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.usefixtures("db")


def _wrong_check_digit(number: str) -> str:
    return number[:17] + ("1" if number[17] == "0" else "0")


# (cells that make the row bad, column reported, a fragment of the message)
BAD_ROWS = [
    ({"联系电话": "1.38001E+10"}, "联系电话", "科学计数法"),
    ({"联系电话": "138001380"}, "联系电话", "不是有效的电话号码"),
    ({"联系电话": "62345678"}, "联系电话", "缺少区号"),
    ({"案号": ""}, "案号", "必填项“案号”为空"),
    ({"案由": "  "}, "案由", "必填项“案由”为空"),
    ({"案件类型": ""}, "案件类型", "必填项"),
    ({"立案日期": ""}, "立案日期", "必填项"),
    ({"当事人": "　"}, "当事人", "必填项"),
    ({"当事人类型": ""}, "当事人类型", "必填项"),
    ({"诉讼地位": ""}, "诉讼地位", "必填项"),
    ({"案件类型": "刑事"}, "案件类型", "未知的案件类型「刑事」"),
    ({"案号": "2026京0102民初9号"}, "案号", "格式不正确"),
    ({"案号": "(2026)京0105民初9号"}, "案号", "法院代码京0105"),
    ({"立案日期": "2026-02-30"}, "立案日期", "不存在"),
    ({"立案日期": "三月一日"}, "立案日期", "无法识别"),
    ({"证件号码": "1.10102E+17"}, "证件号码", "文本格式"),
    ({"当事人类型": "法人", "证件号码": credit_code(3)[:17] + "Z"}, "证件号码", "不允许的字符"),
    ({"诉讼地位": "证人"}, "诉讼地位", "未知的诉讼地位「证人」"),
    ({"当事人类型": "个体户"}, "当事人类型", "未知的当事人类型"),
    ({"送达期限": "2026-13-01"}, "送达期限", "不存在"),
]


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


def test_each_bad_row_is_reported_on_its_row_and_nothing_is_written(
    tmp_path: Path, db_session: Session
) -> None:
    rows = [row()]  # row 2 is valid
    for index, (cells, _, _) in enumerate(BAD_ROWS):
        rows.append(row(**{"当事人": f"当事人{index}", "证件号码": "", **cells}))
    job = run_import(write_csv(tmp_path / "export.csv", rows, encoding="gbk"))
    assert job.status == "failed"
    found = errors_by_row(job)
    assert 2 not in found
    for spreadsheet_row, (_, column, fragment) in enumerate(BAD_ROWS, start=3):
        issues = found.get(spreadsheet_row, [])
        assert [(issue["column"]) for issue in issues] == [column], (spreadsheet_row, issues)
        assert fragment in issues[0]["message"], (spreadsheet_row, issues[0])
    assert job.summary["error_count"] == len(BAD_ROWS)
    for model in (Court, Case, Party, ContactPoint, Document):
        assert _count(db_session, model) == 0


def test_error_json_names_row_column_value_and_message(tmp_path: Path) -> None:
    job = run_import(write_csv(tmp_path / "export.csv", [row(联系电话="1.38001E+10")]))
    assert job.errors == [
        {
            "row": 2,
            "column": "联系电话",
            "value": "1.38001E+10",
            "message": SCIENTIFIC_PHONE.format("1.38001E+10"),
        }
    ]


def test_one_row_with_several_problems_reports_each(tmp_path: Path) -> None:
    job = run_import(
        write_csv(tmp_path / "export.csv", [row(案件类型="刑事", 联系电话="123", 送达地址="北京")])
    )
    assert {(e["row"], e["column"]) for e in job.errors} == {
        (2, "案件类型"),
        (2, "联系电话"),
        (2, "送达地址"),
    }


def test_case_cells_that_differ_between_rows_of_one_case(tmp_path: Path, db_session: Session) -> None:
    rows = [
        row(),
        row(当事人="李四", 证件号码=person_id(2), 案由="买卖合同纠纷"),
        row(当事人="王五", 证件号码=person_id(3), 案件类型="商事", 立案日期="2026年3月2日"),
        row(当事人="赵六", 证件号码=person_id(4), 开庭时间="2026-04-11 09:30"),
        row(当事人="钱七", 证件号码=person_id(5), 承办法官=""),  # blank is not a contradiction
    ]
    job = run_import(write_csv(tmp_path / "export.csv", rows))
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(3, "案由"), (4, "案件类型"), (4, "立案日期"), (5, "开庭时间")}
    cause_error = next(e for e in job.errors if e["row"] == 3)
    assert "第2行" in cause_error["message"] and "民间借贷纠纷" in cause_error["message"]
    hearing_error = next(e for e in job.errors if e["row"] == 5)
    assert "2026-04-10 09:30" in hearing_error["message"]
    assert _count(db_session, Case) == 0


def test_exact_duplicate_is_a_warning_and_a_conflicting_one_an_error(
    tmp_path: Path, db_session: Session
) -> None:
    duplicate = run_import(
        write_csv(tmp_path / "dup.csv", [row(), row(当事人=" 张三 ", 联系电话="１３８００１３８０００")])
    )
    assert duplicate.status == "done", duplicate.errors
    assert {
        "row": 3,
        "column": None,
        "value": None,
        "message": "与第2行完全相同，已忽略",
    } in duplicate.warnings
    assert duplicate.summary["parties_created"] == 1
    conflicting = run_import(
        write_csv(
            tmp_path / "conflict.csv", [row(), row(案号=CASE_1.replace("101", "103")), row(诉讼地位="被告")]
        )
    )
    assert conflicting.status == "failed"
    assert [(e["row"], e["column"]) for e in conflicting.errors] == [(4, "诉讼地位")]
    assert "与第2行是同一案件的同一当事人" in conflicting.errors[0]["message"]
    assert _count(db_session, Party) == 1  # only the first, valid import


def test_normalised_cells_import_as_clean_values(tmp_path: Path, db_session: Session) -> None:
    cells = row(
        案号="（２０２６）京０１０２民初１０１号",
        联系电话="+86 138 0013 8000；（010）62345678、1.3900139000E+10",
        送达地址=" 北京市西城区　金融大街1号 ",
        证件号码=f" {person_id(1)} ",
        当事人="张　三",
        诉讼地位="申请执行人",
        案件类型="速裁",
    )
    job = run_import(write_xlsx(tmp_path / "export.xlsx", [cells]))
    assert job.status == "done", job.errors
    case = db_session.scalars(select(Case)).one()
    assert (case.case_number, case.case_type.value) == (CASE_1, "mediation")
    party = db_session.scalars(select(Party)).one()
    assert (party.name, party.litigation_role.value, party.identity_key) == (
        "张三",
        "plaintiff",
        f"id:{person_id(1)}",
    )
    values = set(db_session.scalars(select(ContactPoint.value)))
    assert {"13800138000", "010-62345678", "13900139000", "北京市西城区 金融大街1号"} <= values


def test_court_code_can_be_chosen_per_import(tmp_path: Path, db_session: Session) -> None:
    path = write_csv(tmp_path / "export.csv", [row(案号="(2026)京0105民初1号")])
    assert run_import(path).status == "failed"
    job = run_import(path, court_code="京0105")
    assert job.status == "done", job.errors
    court = db_session.scalars(select(Court)).one()
    assert court.code == "京0105"


def test_default_court_is_created_once_with_its_configured_name(tmp_path: Path, db_session: Session) -> None:
    run_import(write_csv(tmp_path / "a.csv", two_party_rows()))
    run_import(write_csv(tmp_path / "b.csv", [row(案号=CASE_1.replace("101", "109"))]))
    courts = db_session.scalars(select(Court)).all()
    assert [(court.code, court.name) for court in courts] == [("京0102", "北京市西城区人民法院")]
