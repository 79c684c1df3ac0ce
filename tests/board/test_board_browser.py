"""The deliveries board in a real browser against a real API process: the supervisor filters the overdue
deliveries, selects three and gives them to an agent in one request, and downloads the filtered list as an
Excel workbook (read back with openpyxl). Chromium, and the main path in Firefox."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.sync_api import sync_playwright

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import court_today
from backend.deliveries.models import Delivery
from tests.api.conftest import World
from tests.board.screens import check_main_region, launch, log_in, new_page
from tests.desk.servers import api_process

STATIC = Path(__file__).resolve().parents[2] / "agent_desk" / "static" / "board.html"


def _more_deliveries(world: World) -> tuple[list[int], int]:
    """Three more overdue deliveries on the commercial case (four overdue in all) and one not overdue."""
    with database.get_session() as session:
        template = session.get(Delivery, world.overdue_delivery_id)
        assert template is not None

        def copy(days: int) -> Delivery:
            return Delivery(
                case_id=template.case_id,
                party_id=template.party_id,
                documents=list(template.documents),
                deadline=court_today() + timedelta(days=days),
            )

        overdue = [copy(-1), copy(-2), copy(-5)]
        later = copy(20)
        session.add_all([*overdue, later])
        session.flush()
        return [delivery.id for delivery in overdue], later.id


def _assignees(ids: list[int]) -> dict[int, int | None]:
    with database.get_session() as session:
        return {i: delivery.assignee_user_id for i in ids if (delivery := session.get(Delivery, i))}


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_the_supervisor_assigns_three_overdue_deliveries_and_exports_the_list(
    browser_name: str,
    world: World,
    make_user: Callable[..., User],
    database_url: str,
    tmp_path: Path,
) -> None:
    assert STATIC.is_file(), "build the desk first (npm run build in agent_desk/frontend)"
    overdue, later = _more_deliveries(world)
    overdue_all = [world.overdue_delivery_id, *overdue]
    supervisor = make_user(Role.supervisor, full_name="周敏")
    agent = make_user(Role.agent, full_name="李娜", agent_group="商事组")
    with api_process(database_url=database_url, bus_url="memory://") as base, sync_playwright() as playwright:
        browser = launch(playwright, browser_name)
        page = new_page(browser)
        log_in(page, base, supervisor.username, "/board")
        page.locator(f"#deliveries tr[data-id='{later}']").wait_for()
        page.check("#filter-overdue")
        page.click("#filter-apply")
        page.locator(f"#deliveries tr[data-id='{later}']").wait_for(state="detached")
        shown = [
            int(row)
            for row in page.locator("#deliveries tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")
        ]
        assert sorted(shown) == sorted(overdue_all)
        assert page.locator("#deliveries tbody tr .tag-danger").count() == len(overdue_all)

        chosen = shown[:3]
        for delivery_id in chosen:
            page.check(f"#deliveries tr[data-id='{delivery_id}'] .row-check")
        page.locator("#selected-count", has_text="已选 3 条").wait_for()
        page.select_option("#assign-to", str(agent.id))
        page.click("#assign")
        page.get_by_text("已分配给李娜：3 条").wait_for()
        for delivery_id in chosen:
            page.locator(f"#deliveries tr[data-id='{delivery_id}'] td.assignee", has_text="李娜").wait_for()
        assert _assignees(overdue_all) == {i: agent.id if i in chosen else None for i in overdue_all}
        check_main_region(page, tmp_path / f"board-{browser_name}.png")

        if browser_name == "chromium":  # the download is Chromium's part (Firefox over BiDi has no downloads)
            with page.expect_download() as downloading:
                page.click("#export")
            saved = tmp_path / "export.xlsx"
            downloading.value.save_as(saved)
            assert downloading.value.suggested_filename.endswith(".xlsx")
            rows = list(load_workbook(saved, read_only=True)["送达任务"].iter_rows(values_only=True))
            assert rows[0][:4] == ("任务编号", "案号", "案件类型", "受送达人")
            assert sorted(row[0] for row in rows[1:]) == sorted(overdue_all)
            assert {row[0]: row[9] or "" for row in rows[1:]} == {
                i: "李娜" if i in chosen else "" for i in overdue_all
            }
            assert all(row[6] == "已超期" for row in rows[1:])
        browser.close()
