"""The rest of the window clerk's day in a browser against a real API process: a party who refuses to sign
is served by leaving the documents with a witness; a company's documents are collected by its lawyer
without an appointment, with the scanned authorisation, and the company's next delivery starts at the
mobile it confirmed; a booking nobody came for becomes a failed attempt at the day's end (the server's
no-show job) with the next method planned within 24 hours, shown on the window screen."""

import subprocess
from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import court_today
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.evidence import storage
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.parties.models import ContactPoint
from backend.pickup import service
from backend.pickup.enums import BookingStatus
from backend.pickup.models import PickupBooking
from tests.api.conftest import World
from tests.conftest import TEST_PASSWORD
from tests.desk.servers import api_process
from tests.pickup.conftest import Window
from tests.pickup.test_window_browser import _draw, _items, open_window
from tests.polling import poll_until

AUTHORISATION = b"%PDF-1.4\n% scan of the power of attorney, 2026-031\n%%EOF\n"


def _browser_page(playwright: object) -> Page:
    chromium = playwright.chromium  # type: ignore[attr-defined]
    browser = chromium.launch(executable_path="/usr/bin/chromium", headless=True)
    return browser.new_page(viewport={"width": 1366, "height": 1000})


def _proof_text(attempt_id: int) -> str:
    [proof] = _items(attempt_id, EvidenceKind.proof_pdf)
    path = storage.absolute_path(proof.file_path)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return "".join(text.split())


def test_a_party_who_refuses_to_sign_is_served_by_leaving_with_a_witness(
    world: World, window_today: Window, make_user: Callable[..., User], database_url: str
) -> None:
    clerk = make_user(Role.clerk, court_id=world.court_id, full_name="陈晓")
    with api_process(database_url=database_url, bus_url="memory://") as base, sync_playwright() as playwright:
        page = _browser_page(playwright)
        open_window(page, base, clerk)
        page.fill("#id-number", "11010519900202002X")
        page.fill("#appointment-code", window_today.code)
        page.click("#check-in")
        page.click("#hand-over")
        page.wait_for_selector("#hand-over", state="detached")
        page.click("#refuse")
        page.fill("#refusal-form textarea[name=note]", "受送达人当场拒绝签名，文书已放置于窗口台面")
        page.fill("#refusal-form input[name=witness]", "法警 王强（警号 0231）")
        page.click("#record-refusal")
        page.click("#serve-refusal:not([disabled])")
        page.wait_for_selector("#print-proof", timeout=30_000)
        assert page.locator("#served").get_by_text("已留置送达").is_visible()
        assert page.locator(".booking", has_text="刘洋").get_by_text("已领取").is_visible()
        page.context.browser.close()  # type: ignore[union-attr]

    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, window_today.attempt_id)
        assert attempt.outcome is AttemptOutcome.left_with_refusal
        assert attempt.status is AttemptStatus.succeeded
    text = _proof_text(window_today.attempt_id)
    expected = ["留置送达", "受送达人拒绝签收", "王强（警号0231）", "陈晓"]
    assert [fact for fact in expected if fact not in text] == []


def test_a_lawyer_collects_for_a_company_and_its_next_delivery_starts_at_the_confirmed_mobile(
    world: World, make_user: Callable[..., User], database_url: str, tmp_path: Path
) -> None:
    clerk = make_user(Role.clerk, court_id=world.court_id, full_name="陈晓")
    with database.get_session() as session:
        service.create_window(db_session=session, name="5 号窗口（律师专窗）", court_id=world.court_id)
        delivery = session.get_one(Delivery, world.overdue_delivery_id)
        company_id, document_id = delivery.party_id, delivery.documents[0].id
    scan = tmp_path / "授权委托书.pdf"
    scan.write_bytes(AUTHORISATION)
    with api_process(database_url=database_url, bus_url="memory://") as base, sync_playwright() as playwright:
        page = _browser_page(playwright)
        open_window(page, base, clerk)
        page.click("#tab-walk-in")
        page.fill("#walk-in-query", "华信")
        page.click("#walk-in-form button[type=submit]")
        result = page.locator(".walk-in-result", has_text="北京华信商贸有限公司")
        result.wait_for()
        page.check("#walk-in-form input[name=by_proxy]")
        page.fill("#walk-in-form input[name=proxy_name]", "王律师")
        page.fill("#walk-in-form input[name=proxy_id]", "110101198505050011")
        page.fill("#walk-in-form input[name=proxy_authorisation]", "授权委托书（特别授权）2026-031")
        result.get_by_role("button", name="核验并登记").click()
        page.get_by_text("代理人王律师").first.wait_for()
        assert "授权委托书扫描件" in page.locator("#missing").inner_text()
        page.set_input_files("#authorisation-file", str(scan))
        page.click("#upload-authorisation")
        page.wait_for_selector("#upload-authorisation", state="detached")
        page.click("#hand-over")
        page.wait_for_selector("#hand-over", state="detached")
        _draw(page, "#receipt-signature", 20)
        page.click("#sign-receipt")
        page.wait_for_selector("#receipt-signature", state="detached")
        page.fill("#confirmation-form input[name=postal_address]", "北京市朝阳区建国路 88 号华信大厦 12 层")
        page.fill("#confirmation-form input[name=mobile]", "13911112222")
        page.check("#confirmation-form input[name=consents_to_electronic]")
        _draw(page, "#confirmation-signature", 24)
        page.click("#sign-confirmation")
        page.wait_for_selector("#confirmation-signature", state="detached")
        page.click("#serve:not([disabled])")
        page.wait_for_selector("#print-proof", timeout=30_000)
        page.context.browser.close()  # type: ignore[union-attr]

        # The company's next delivery, made by a clerk through the API, starts with the confirmed mobile.
        token = httpx.post(
            f"{base}/api/auth/login", json={"username": clerk.username, "password": TEST_PASSWORD}
        ).json()["token"]
        later = httpx.post(
            f"{base}/api/deliveries",
            json={"case_id": world.commercial_case_id, "party_id": company_id, "document_ids": [document_id]},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert later.status_code == 201, later.text
    (first,) = later.json()["attempts"]
    assert (first["method"], first["status"]) == ("electronic", "planned")
    with database.get_session() as session:
        assert session.get_one(ContactPoint, first["contact_point_id"]).value == "13911112222"
        [kept] = session.scalars(select(Evidence).where(Evidence.kind == EvidenceKind.authorisation)).all()
        attempt_id = session.scalars(
            select(DeliveryAttempt.id).where(
                DeliveryAttempt.delivery_id == world.overdue_delivery_id,
                DeliveryAttempt.method == DeliveryMethod.pickup,
            )
        ).one()
    text = _proof_text(attempt_id)
    expected = ["授权委托书（扫描件）", kept.sha256[:20], "代理人王律师", "现场登记"]
    assert [fact for fact in expected if fact not in text] == []


def test_a_booking_nobody_came_for_fails_at_the_days_end_and_the_window_shows_the_next_method(
    world: World, make_user: Callable[..., User], database_url: str
) -> None:
    clerk = make_user(Role.clerk, court_id=world.court_id)
    yesterday = court_today() - timedelta(days=1)
    with database.get_session() as session:
        window = service.create_window(db_session=session, name="3 号窗口", court_id=world.court_id)
        [slot] = service.add_slots(
            db_session=session,
            window=window,
            day=yesterday,
            start=time(9),
            end=time(9, 30),
            minutes=30,
            capacity=2,
        )
        booking = service.book_and_plan(
            db_session=session,
            actor=None,
            delivery=session.get_one(Delivery, world.delivery_id),
            slot_id=slot.id,
            now=slot.starts_at - timedelta(days=1),
        )
        booking_id, attempt_id = booking.id, booking.attempt_id
    # The server's scheduler runs the no-show pass when it starts (then every 15 minutes).
    with (
        api_process(
            database_url=database_url, bus_url="memory://", SONGDA_IN_PROCESS_SCHEDULER="true"
        ) as base,
        sync_playwright() as playwright,
    ):

        def marked() -> bool:
            with database.get_session() as session:
                return session.get_one(PickupBooking, booking_id).status is BookingStatus.no_show

        poll_until(marked, timeout=30, what="the no-show pass")
        page = _browser_page(playwright)
        open_window(page, base, clerk)
        page.get_by_text("今日没有预约").wait_for()
        page.fill("#window-date", yesterday.isoformat())
        card = page.locator(".booking", has_text="刘洋")
        card.get_by_text("未按约来院").wait_for()
        card.click()
        ended = page.locator("#ended")
        ended.get_by_text("未能领取：未按约来院").wait_for()
        next_step = page.locator("#next-step").inner_text()
        page.context.browser.close()  # type: ignore[union-attr]

    with database.get_session() as session:
        failed = session.get_one(DeliveryAttempt, attempt_id)
        assert failed.status is AttemptStatus.failed and failed.outcome is AttemptOutcome.no_show
        [planned] = [a for a in failed.delivery.attempts if a.status is AttemptStatus.planned]
        assert planned.start_by is not None and failed.ended_at is not None
        assert planned.start_by - failed.ended_at <= timedelta(hours=24)
        assert planned.method is not DeliveryMethod.pickup
    assert next_step.startswith("已安排下一步：") and "须于" in next_step
