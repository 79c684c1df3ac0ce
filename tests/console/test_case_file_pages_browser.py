"""A mass case's file in the browser: the first 50 parties and deliveries come at once, 加载更多 brings the
rest (the API pages them), each row once."""

from collections.abc import Callable
from pathlib import Path

from backend.auth.models import User
from backend.auth.roles import Role
from tests.console.browser import check_main_region, log_in, new_page, served
from tests.console.world import BigCase
from tests.desk_e2e.pages import page_sleep
from tests.polling import poll_until

STATIC = Path(__file__).resolve().parents[2] / "agent_desk" / "static" / "casefile.html"
COUNT_DELIVERIES = "() => document.querySelectorAll('#timeline .timeline-delivery').length"


def test_a_mass_case_file_shows_a_page_then_the_rest_on_request(
    big_case: Callable[..., BigCase], make_user: Callable[..., User], database_url: str, tmp_path: Path
) -> None:
    assert STATIC.is_file(), "build the desk first (npm run build in agent_desk/frontend)"
    case = big_case(parties=56, attempts=56, calls=0)
    supervisor = make_user(Role.supervisor)
    with served(database_url) as (base, browser):
        page = new_page(browser)
        log_in(page, base, supervisor.username, next_path=f"/cases/{case.case_id}")
        page.wait_for_selector("body[data-ready=all]")
        assert page.evaluate(COUNT_DELIVERIES) == 50
        assert page.inner_text("#file-more") == "加载更多（已显示当事人 50/56，送达任务 50/56）"
        page.click("#file-more")
        poll_until(
            lambda: page.evaluate(COUNT_DELIVERIES) == 56,
            timeout=15,
            what=lambda: f"the next page was not drawn ({page.evaluate(COUNT_DELIVERIES)} deliveries shown)",
            sleep=page_sleep(page),
        )
        check_main_region(page, tmp_path / "mass-case-file.png")
        assert page.locator("#file-more").count() == 0
        assert page.inner_text("#parties h2") == "当事人（56）"
        shown = page.eval_on_selector_all(
            "#timeline .timeline-delivery", "items => items.map((item) => item.dataset.delivery)"
        )
        assert len(set(shown)) == 56
