"""The postal console in a browser against a real API process and the local EMS server: the clerk builds
the day's batch, fixes an address, takes a letter out, confirms the batch (EMS waybills), prints it; EMS
pushes a delivery and the letter shows as served; the returned 送达回证 card's scan is matched by its
barcode; a supervisor sees the letter not heard of for days, and, once it is back at the court, among the
returned letters awaiting their scan instead."""

import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import BEIJING
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.models import DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.postal.enums import ItemStatus
from backend.postal.models import PostalItem
from tests.conftest import TEST_PASSWORD
from tests.desk.servers import api_process
from tests.postal.vendor_servers import EmsServer, ems_event

STATIC = Path(__file__).resolve().parents[2] / "agent_desk" / "static" / "postal.html"
FIXED_ADDRESS = "北京市海淀区中关村大街27号院2号楼 1001 室"


def _log_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", user.username)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base}/postal")


def _letters() -> list[PostalItem]:
    with database.get_session() as session:
        items = list(session.scalars(select(PostalItem).order_by(PostalItem.id)))
        session.expunge_all()
    return items


def _token(base: str, user: User) -> str:
    answer = httpx.post(f"{base}/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    return str(answer.json()["token"])


def _first_card(base: str, user: User, batch_id: int, folder: Path) -> Path:
    """The batch's 送达回证 cards, first page only: the scan of one returned card."""
    headers = {"Authorization": f"Bearer {_token(base, user)}"}
    cards = httpx.get(f"{base}/api/postal/batches/{batch_id}/cards.pdf", headers=headers)
    assert cards.status_code == 200
    (folder / "cards.pdf").write_bytes(cards.content)
    pages = ["pdfseparate", "-f", "1", "-l", "1", str(folder / "cards.pdf"), str(folder / "card-%d.pdf")]
    subprocess.run(pages, check=True)
    return folder / "card-1.pdf"


def _at(now: datetime, minutes: int) -> str:
    return (now + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")


def test_a_clerk_confirms_prints_and_follows_a_batch_to_a_served_letter_with_its_receipt(
    ems: EmsServer,
    letters: Callable[..., list[int]],
    clerk: User,
    make_user: Callable[..., User],
    database_url: str,
    tmp_path: Path,
) -> None:
    assert STATIC.is_file(), "build the desk first (npm run build in agent_desk/frontend)"
    letters(3)
    supervisor = make_user(Role.supervisor)
    with api_process(database_url=database_url, bus_url="memory://") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        _log_in(page, base, clerk)
        page.get_by_text("该日没有邮寄批次").wait_for()
        page.click("#build-batches")
        page.wait_for_selector("#letters tbody tr")
        assert page.locator("#letters tbody tr").count() == 3
        first, second, third = _letters()
        row = page.locator(f"tr[data-letter-id='{first.id}']")
        row.locator("input[name=address]").fill(FIXED_ADDRESS)
        row.get_by_role("button", name="保存地址").click()
        page.get_by_text("地址已由书记员修改").wait_for()
        page.locator(f"tr[data-letter-id='{third.id}']").get_by_role("button", name="移出").click()
        page.wait_for_selector(f"tr[data-letter-id='{third.id}']", state="detached")
        page.click("#confirm-batch")
        page.wait_for_selector("#print-forms")
        first, second, third = _letters()
        assert [first.status, second.status] == [ItemStatus.ordered, ItemStatus.ordered]
        assert third.status is ItemStatus.removed
        assert first.address == FIXED_ADDRESS and first.address_edited
        confirmed_row = page.locator(f"tr[data-letter-id='{first.id}']")
        assert confirmed_row.get_by_text(first.waybill_no or "?").is_visible()
        with page.expect_popup() as forms:
            page.click("#print-forms")
        assert forms.value.url.startswith("blob:")
        with page.expect_popup() as labels:
            page.click("#print-ems-labels")
        assert labels.value.url.startswith("blob:")

        now = datetime.now(BEIJING).replace(microsecond=0)
        waybill = second.waybill_no or ""
        events = [
            ems_event(waybill, _at(now, 1), "203", "收寄", "已收寄"),
            ems_event(waybill, _at(now, 2), "702", "投递", "正在投递，投递员：李投递"),
            ems_event(waybill, _at(now, 3), "704", "妥投", "已妥投，签收人：本人签收"),
        ]
        pushed = httpx.post(f"{base}/api/postal/push", data=ems.push_form(events))
        assert pushed.status_code == 200 and pushed.json()["retCode"] == "00000"
        page.click("#tab-tracking")
        page.select_option("#tracking-filter", "served")
        served_row = page.locator(f"#tracked-letters tr[data-waybill='{waybill}']")
        served_row.get_by_text("已送达").wait_for()
        served_row.get_by_role("button", name=waybill).click()
        page.locator(".letter-detail").get_by_text("已妥投").wait_for()

        card = _first_card(base, clerk, first.batch_id, tmp_path)
        page.click("#tab-receipts")
        page.set_input_files("#receipt-files", str(card))
        page.click("#upload-receipts")
        page.locator("#receipt-results").get_by_text("已存入证据").wait_for()
        assert page.locator("#receipt-results").get_by_text("匹配成功 1 份").is_visible()

        page.click("#tab-costs")
        page.locator(".cost-figure", has_text="交寄邮件").get_by_text("2", exact=True).wait_for()
        assert page.locator("#tab-silent").count() == 0  # silent letters are for a supervisor
        page.click("#logout")
        page.wait_for_url("**/login")
        with database.get_session() as session:  # the first letter has not been heard of for three days
            session.get_one(PostalItem, first.id).ordered_at = now - timedelta(days=3)
        _log_in(page, base, supervisor)
        page.click("#tab-silent")
        page.get_by_text("没有超过 5 天无轨迹的邮件").wait_for()
        page.fill("#silent-days", "2")
        page.press("#silent-days", "Tab")
        page.locator(f"#silent-list tr[data-waybill='{first.waybill_no}']").wait_for()
        assert page.locator("#silent-list tbody tr").count() == 1
        assert page.locator("#awaiting-scan-list").get_by_text("没有待扫描的退件").is_visible()
        with database.get_session() as session:  # then it comes back to the court: its scan is awaited
            letter = session.get_one(PostalItem, first.id)
            letter.status, letter.final_at = ItemStatus.awaiting_receipt, now - timedelta(days=1)
        page.fill("#silent-days", "1")
        page.press("#silent-days", "Tab")
        page.locator(f"#awaiting-scan-list tr[data-waybill='{first.waybill_no}']").wait_for()
        assert page.locator("#silent-list").get_by_text("没有超过 1 天无轨迹的邮件").is_visible()
        page.screenshot(path=str(tmp_path / "silent-and-awaiting-scan.png"), full_page=True)
        browser.close()

    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, second.attempt_id)
        assert attempt.status is AttemptStatus.succeeded and attempt.legal_service_date == now.date()
        scans = session.scalars(select(Evidence).where(Evidence.kind == EvidenceKind.receipt)).all()
        item = session.get_one(PostalItem, first.id)
        assert [scan.id for scan in scans] == [item.receipt_evidence_id]
        assert scans[0].metadata_json["waybill_no"] == first.waybill_no
