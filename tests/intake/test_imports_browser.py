"""The imports page in Chromium against a real API process (issue 13): the clerk uploads an export with a
bad row and an ID number with a wrong check digit, follows the progress bar, sees the row errors, downloads
the Excel of problems (read back with openpyxl: the original cells with the messages in a column beside
them), then imports the valid cases only."""

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.models import Case
from backend.config import get_settings
from backend.courts.models import Court
from backend.parties.models import Party
from tests.console.browser import check_main_region, log_in, new_page, served
from tests.intake.exports import CASE_1, CASE_2, HEADERS, write_csv
from tests.intake.test_policy import export_rows, wrong_check_digit

STATIC = Path(__file__).resolve().parents[2] / "agent_desk" / "static" / "imports.html"
FETCH_PROBLEMS = """async () => {
  const job = document.querySelector('.job-row').dataset.job;
  const headers = { Authorization: `Bearer ${sessionStorage.getItem('songda.token')}` };
  const response = await fetch(`/api/intake/imports/${job}/problems.xlsx`, { headers });
  return Array.from(new Uint8Array(await response.arrayBuffer()));
}"""


def _documents_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{CASE_1}/传票.pdf", b"%PDF-1.4 summons")
    return path


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_the_clerk_imports_an_export_with_problems_then_its_valid_cases(
    db_session: Session, make_user: Callable[..., User], database_url: str, tmp_path: Path, browser_name: str
) -> None:
    assert STATIC.is_file(), "build the desk first (npm run build in agent_desk/frontend)"
    settings = get_settings()
    court = Court(code=settings.default_court_code, name=settings.default_court_name)
    db_session.add(court)
    db_session.commit()
    clerk = make_user(Role.clerk, court_id=court.id, full_name="陈晓")
    export = write_csv(tmp_path / "西城法院导出.csv", export_rows(fixed=False))
    documents = _documents_zip(tmp_path / "文书.zip")

    with served(database_url, browser_name) as (base, browser):
        page = new_page(browser)
        log_in(page, base, clerk.username)
        page.wait_for_url(f"{base}/cases")
        page.get_by_role("link", name="案件导入").click()
        page.wait_for_url(f"{base}/imports")
        page.set_input_files("#export-file", str(export))
        page.set_input_files("#documents-file", str(documents))
        page.click("#start-import")
        page.wait_for_selector("#problems")
        assert page.locator("#job-status").inner_text() == "失败"
        assert page.locator("#progress-bar").get_attribute("value") == "100"
        errors = page.locator("#problems tr.problem-error")
        assert errors.count() == 2
        assert "第 5 行" in errors.nth(0).inner_text() and "科学计数法" in errors.nth(0).inner_text()
        assert "第 6 行" in errors.nth(1).inner_text() and "格式不正确" in errors.nth(1).inner_text()
        warning = page.locator("#problems tr.problem-warning", has_text="证件号码")
        assert "第 2 行" in warning.inner_text() and "校验位不正确" in warning.inner_text()
        assert "待核实" in warning.inner_text()
        check_main_region(page, tmp_path / f"imports-problems-{browser_name}.png")

        saved = tmp_path / "problems.xlsx"
        if browser_name == "chromium":
            with page.expect_download() as download_info:
                page.click("#download-problems")
            download = download_info.value
            assert download.suggested_filename.endswith(".xlsx")
            download.save_as(saved)
        else:  # Firefox over WebDriver BiDi reports no downloads: the page's own request, read in the page
            saved.write_bytes(bytes(page.evaluate(FETCH_PROBLEMS)))
        sheet = load_workbook(saved)["问题清单"]
        rows = [list(values) for values in sheet.iter_rows(values_only=True)]
        assert rows[0] == [*HEADERS, "问题"]
        problem = len(HEADERS)  # the column beside the original ones
        assert rows[4][HEADERS.index("联系电话")] == "1.38001E+10" and "科学计数法" in rows[4][problem]
        assert rows[1][HEADERS.index("证件号码")] == wrong_check_digit(export_rows(fixed=True)[0]["证件号码"])
        assert "【警告】证件号码" in rows[1][problem] and "【错误】案号" in rows[5][problem]
        assert rows[2][problem] is None
        phone_cell = sheet.cell(5, HEADERS.index("联系电话") + 1)
        assert phone_cell.fill.fgColor.rgb == "00FFC7CE"  # the problem cell is highlighted

        page.set_input_files("#export-file", str(export))
        page.set_input_files("#documents-file", str(documents))
        page.check("#valid-only")
        page.click("#start-import")
        page.wait_for_selector("#job-status:text('部分导入')")
        refused = page.locator("#refused").inner_text()
        assert CASE_2 in refused and "第 4、5 行" in refused and "案号无法识别：第 6 行" in refused
        check_main_region(page, tmp_path / f"imports-valid-only-{browser_name}.png")
        assert page.locator(".job-row").count() == 2

        # The case file shows the imported ID number as 待核实, with why.
        db_session.expire_all()
        case_id = db_session.scalars(select(Case.id).where(Case.case_number == CASE_1)).one()
        page.goto(f"{base}/cases/{case_id}")
        marked = page.locator(".party-card", has_text="张三").locator(".unverified")
        marked.wait_for()
        assert "待核实" in marked.inner_text() and "证件号码" in marked.inner_text()

    db_session.expire_all()
    assert list(db_session.scalars(select(Case.case_number))) == [CASE_1]
    zhang = db_session.scalars(select(Party).where(Party.name == "张三")).one()
    assert "id_number" in zhang.unverified_fields
