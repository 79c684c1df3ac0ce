"""`songda import`: exit codes, the error table and the summary."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from backend.cases.models import Case
from backend.cli import app
from tests.intake.exports import CASE_1, row, two_party_rows, write_csv, write_xlsx

pytestmark = pytest.mark.usefixtures("db")
runner = CliRunner()
WIDE = {"COLUMNS": "220"}


def _cases(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(Case)) or 0


def test_import_prints_a_summary_and_exits_0(tmp_path: Path, db_session: Session) -> None:
    folder = tmp_path / "docs" / CASE_1
    folder.mkdir(parents=True)
    (folder / "传票.pdf").write_bytes(b"%PDF")
    path = write_xlsx(tmp_path / "export.xlsx", two_party_rows())
    result = runner.invoke(app, ["import", str(path), "--documents", str(tmp_path / "docs")], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "已导入 export.xlsx" in result.output
    assert "新建案件" in result.output and "新建送达任务" in result.output
    assert "起诉状副本" in result.output  # the warning about a document without a file
    assert _cases(db_session) == 2
    again = runner.invoke(app, ["import", str(path)], env=WIDE)
    assert again.exit_code == 0 and _cases(db_session) == 2


def test_row_errors_are_printed_as_a_table_and_exit_1(tmp_path: Path, db_session: Session) -> None:
    rows = [
        row(),
        row(当事人="李四", 证件号码="", 联系电话="1.38001E+10"),
        row(当事人="王五", 证件号码="", 诉讼地位="证人"),
    ]
    path = write_csv(tmp_path / "export.csv", rows, encoding="gbk")
    result = runner.invoke(app, ["import", str(path)], env=WIDE)
    assert result.exit_code == 1, result.output
    assert "错误（共2条，未写入任何数据）" in result.output
    lines = result.output.splitlines()
    assert any("3" in line and "联系电话" in line and "科学计数法" in line for line in lines)
    assert any("4" in line and "诉讼地位" in line and "证人" in line for line in lines)
    assert _cases(db_session) == 0


def test_dry_run_and_court_option(tmp_path: Path, db_session: Session) -> None:
    path = write_csv(tmp_path / "export.csv", [row(案号="(2026)京0105民初3号")])
    assert runner.invoke(app, ["import", str(path)], env=WIDE).exit_code == 1
    result = runner.invoke(app, ["import", str(path), "--court", "京0105", "--dry-run"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "试运行，未写入" in result.output
    assert _cases(db_session) == 0
    bad_court = runner.invoke(app, ["import", str(path), "--court", "Beijing"], env=WIDE)
    assert bad_court.exit_code == 2 and "法院代码" in bad_court.output
