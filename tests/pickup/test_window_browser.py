"""The window screen in a browser against a real API process: the clerk checks the party in by ID number,
the party signs both documents on the canvas (drawn with mouse events), the delivery is served, and the
proof's PDF holds every fact with the signature image in the evidence chain."""

import subprocess
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.models import attempt_evidence
from backend.evidence import storage
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import in_chain
from backend.evidence.models import Evidence
from tests.api.conftest import World
from tests.conftest import TEST_PASSWORD
from tests.desk.servers import api_process
from tests.pickup.conftest import DEFENDANT_ID, Window
from tests.pickup.test_window import pdf_images

STATIC = Path(__file__).resolve().parents[2] / "agent_desk" / "static" / "window.html"


def _draw(page: Page, area: str, wave: int) -> None:
    canvas = page.locator(f"{area} canvas[data-ready]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x + step * 14, y + (-1) ** step * wave, steps=2)
    page.mouse.up()


def open_window(page: Page, base: str, user: User) -> None:
    """Log in as USER and open the window screen (whatever page the role lands on)."""
    page.goto(f"{base}/login")
    page.fill("#username", user.username)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base}/window")
    page.wait_for_selector("#day h2")


def _items(attempt_id: int, kind: EvidenceKind) -> list[Evidence]:
    with database.get_session() as session:
        query = (
            select(Evidence)
            .join(attempt_evidence, attempt_evidence.c.evidence_id == Evidence.id)
            .where(attempt_evidence.c.attempt_id == attempt_id, Evidence.kind == kind)
        )
        items = list(session.scalars(query))
        assert all(in_chain(db_session=session, evidence=item) for item in items)
        session.expunge_all()
        return items


def test_a_party_checked_in_by_id_signs_on_the_canvas_and_is_served_with_the_proof(
    world: World, window_today: Window, make_user: Callable[..., User], database_url: str
) -> None:
    assert STATIC.is_file(), "build the desk first (npm run build in agent_desk/frontend)"
    clerk = make_user(Role.clerk, court_id=world.court_id, full_name="陈晓")
    with api_process(database_url=database_url, bus_url="memory://") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 1000})
        page.goto(f"{base}/login?next=/window")  # a clerk lands on /cases by default
        page.fill("#username", clerk.username)
        page.fill("#password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/window")
        page.locator(".booking", has_text="刘洋").click()
        page.fill("#id-number", "110105199002020011")
        page.click("#check-in")
        page.get_by_text("证件号码与受送达人刘洋登记的证件不符").wait_for()
        page.fill("#id-number", DEFENDANT_ID)
        page.click("#check-in")
        page.click("#hand-over")
        page.wait_for_selector("#hand-over", state="detached")  # each step re-renders the panel
        _draw(page, "#receipt-signature", 18)
        page.click("#sign-receipt")
        page.wait_for_selector("#receipt-signature", state="detached")
        page.fill("#confirmation-form input[name=postal_address]", "北京市西城区金融大街 7 号")
        page.fill("#confirmation-form input[name=mobile]", "13910002000")
        page.check("#confirmation-form input[name=consents_to_electronic]")
        _draw(page, "#confirmation-signature", 26)
        page.click("#sign-confirmation")
        page.wait_for_selector("#confirmation-signature", state="detached")
        page.click("#serve:not([disabled])")
        page.wait_for_selector("#print-proof", timeout=30_000)
        assert page.locator(".booking", has_text="刘洋").get_by_text("已领取").is_visible()
        browser.close()

    [proof] = _items(window_today.attempt_id, EvidenceKind.proof_pdf)
    path = storage.absolute_path(proof.file_path)
    text = "".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    signatures = [
        item
        for item in _items(window_today.attempt_id, EvidenceKind.signature)
        if item.content_type == "image/png"
    ]
    assert len(signatures) == 2
    expected = [
        window_today.code,
        "人证一致",
        "陈晓",
        world.summons_sha256[:20],
        "签署送达回证",
        signatures[0].sha256[:20],
    ]
    expected += ["送达地址确认书", "金融大街", "13910002000", "同意电子送达：是", "交付时间", "已送达"]
    assert [item for item in expected if item not in text] == [], text
    assert len(pdf_images(proof.id)) == 2  # both signatures, drawn on the proof
