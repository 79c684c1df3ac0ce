"""A clerk follows a party's request for paper copies made after service in the postal console's 纸质文书申请
tab, and marks it handled with the waybill number."""

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from backend.auth.models import User
from backend.auth.roles import Role
from tests.console.browser import check_main_region, log_in, new_page, served
from tests.portal.test_paper_requests import _court_of, _serve_through_the_portal
from tests.portal.test_portal_api import portal_login
from tests.portal.world import PortalParty


def test_a_clerk_marks_a_paper_request_after_service_handled_in_the_postal_console(
    client: TestClient,
    make_party: Callable[..., PortalParty],
    make_user: Callable[..., User],
    database_url: str,
    tmp_path: Path,
) -> None:
    party = make_party()
    portal_login(client, party)
    _serve_through_the_portal(client, party)
    address = "北京市西城区金融大街7号"
    body = {"way": "postal", "postal_address": address}
    assert client.post(f"/api/portal/deliveries/{party.delivery_id}/paper", json=body).status_code == 200
    clerk = make_user(Role.clerk, court_id=_court_of(party), full_name="李书记员")
    with served(database_url) as (base, browser):
        page = new_page(browser)
        log_in(page, base, clerk.username, next_path="/postal")
        page.wait_for_url(f"{base}/postal")
        page.click("#tab-paper")
        row = page.locator("#paper-requests tbody tr")
        row.get_by_text(address).wait_for()
        check_main_region(page, tmp_path / "paper-requests.png")
        row.locator(".paper-note").fill("EMS 1234567890")
        row.get_by_role("button", name="标记已处理").click()
        page.get_by_text("暂无待处理的纸质文书申请").wait_for()
        page.select_option("#paper-waiting", "all")
        page.locator("#paper-requests tbody tr").get_by_text("李书记员").wait_for()
        assert "EMS 1234567890" in page.locator("#paper-requests tbody tr").inner_text()
        page.screenshot(path=str(tmp_path / "paper-requests-handled.png"))
