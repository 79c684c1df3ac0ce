"""The hearing schedule in Chromium against a real API process (issue 13): a clerk finds a case, moves its
hearing to the day after tomorrow in a courtroom where another hearing sits at that time; the summons
delivery appears at risk (too late for the three days), the week calendar shows the clash, and the
delivery's deadline has moved."""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.models import Case
from backend.core.clock import BEIJING, court_today
from backend.courts.models import Court
from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import Delivery
from tests.console.browser import check_main_region, log_in, new_page, served
from tests.hearings.test_hearings import make_case

STATIC = Path(__file__).resolve().parents[2] / "agent_desk" / "static" / "hearings.html"


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_a_clerk_moves_a_hearing_and_its_summons_delivery_appears_at_risk(
    db_session: Session, make_user: Callable[..., User], database_url: str, tmp_path: Path, browser_name: str
) -> None:
    assert STATIC.is_file(), "build the desk first (npm run build in agent_desk/frontend)"
    court = Court(code="京0102", name="西城法院")
    db_session.add(court)
    db_session.commit()
    clerk = make_user(Role.clerk, court_id=court.id, full_name="陈晓")
    moved_id = make_case(db_session, court.id, 501)
    sitting_id = make_case(db_session, court.id, 502, summons=(DeliveryStatus.served,))
    soon = court_today() + timedelta(days=2)
    for case_id, day, hour in ((moved_id, court_today() + timedelta(days=30), 9), (sitting_id, soon, 9)):
        case = db_session.get_one(Case, case_id)
        case.hearing_at = datetime.combine(day, time(hour), tzinfo=BEIJING).astimezone(UTC)
        case.courtroom = "第一法庭"
    db_session.commit()
    moved_number = db_session.get_one(Case, moved_id).case_number

    with served(database_url, browser_name) as (base, browser):
        page = new_page(browser)
        log_in(page, base, clerk.username, next_path="/hearings")
        page.wait_for_url(f"{base}/hearings")
        page.wait_for_selector("#no-risk")
        page.wait_for_selector("#week .week-head")  # the first answers are in before the change
        page.fill("#case-number", "民初501")
        page.click("#find-case")
        page.wait_for_selector(f"#chosen-case:has-text('{moved_number}')")
        page.fill("#hearing-at", f"{soon.isoformat()}T09:30")
        page.fill("#courtroom", "第一法庭")
        page.click("#save-hearing")
        row = page.locator("#risk-table tr.risk-row", has_text=moved_number)
        row.wait_for()
        assert "已无法按期送达" in row.inner_text()
        assert (soon - timedelta(days=3)).isoformat() in row.inner_text()
        clash = page.locator(f"#week-calendar .hearing-chip.clash[data-case='{moved_id}']")
        clash.wait_for()
        assert "时间冲突" in clash.inner_text()
        assert page.locator(f".hearing-chip.clash[data-case='{sitting_id}']").count() == 1
        assert "2 个庭审时间冲突" in page.locator("#clash-count").inner_text()
        check_main_region(page, tmp_path / f"hearings-{browser_name}.png")

    db_session.expire_all()
    delivery = db_session.query(Delivery).filter(Delivery.case_id == moved_id).one()
    assert delivery.deadline == soon - timedelta(days=3)
