"""Field delivery in a browser against a real API process: the supervisor sets a party's visit window and
plans the day for two officers;
an officer on a phone-sized page (geolocation granted) opens the route, whose navigation link holds the
stop's GCJ-02 position, opens again without signal (the service worker and the phone's copy of the route),
checks in, loses signal, takes a photo (a file given to the camera input) and has
the recipient sign on the canvas (mouse events), submits; back online the outbox sends everything, the
photo in chunks that resume after a dropped connection without sending the first chunk again, and the
visit is served. A refusal is then left (留置送达) with a witness's signature, also while offline. The proofs'
PDFs (pdftotext) hold the facts, and their QR link verifies."""

import hashlib
import io
import os
import subprocess
from collections.abc import Callable
from datetime import time
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Route, sync_playwright
from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.enums import AttemptOutcome, AttemptStatus
from backend.deliveries.models import DeliveryAttempt
from backend.evidence import storage
from backend.evidence.models import Evidence
from backend.field.coords import Point, wgs84_to_gcj02
from backend.field.models import FieldAssignment, VisitWindow
from backend.proofs.models import ProofOfService
from tests.conftest import TEST_PASSWORD
from tests.desk.servers import api_process, free_port
from tests.field.conftest import FieldWorld
from tests.polling import poll_until

STATIC = Path(__file__).resolve().parents[2] / "agent_desk" / "static" / "field.html"
CHUNK = 256 * 1024  # agent_desk/frontend/src/field/outbox.js CHUNK_BYTES
AT_THE_DOOR = {"longitude": 116.3601, "latitude": 39.9152, "accuracy": 9}
NEXT_DOOR = {"longitude": 116.3712, "latitude": 39.9488, "accuracy": 14}
SHOTS = Path(os.environ.get("SONGDA_FIELD_SHOTS", "/tmp/field-shots"))


def _photo() -> bytes:
    """A camera-sized JPEG of noise: several chunks."""
    image = Image.frombytes("RGB", (1024, 768), os.urandom(1024 * 768 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    assert len(buffer.getvalue()) > 2 * CHUNK
    return buffer.getvalue()


def _login(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login?next=/field")
    page.fill("#username", user.username)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/field")


def _draw(page: Page, area: str, wave: int) -> None:
    canvas = page.locator(f"{area} canvas[data-ready]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 20):
        page.mouse.move(x + step * 14, y + (-1) ** step * wave, steps=2)
    page.mouse.up()


def _pdf_text(attempt_id: int) -> tuple[str, ProofOfService]:
    def proof() -> ProofOfService | None:
        with database.get_session() as session:
            found = session.scalars(
                select(ProofOfService).where(ProofOfService.attempt_id == attempt_id)
            ).first()
            if found is not None:
                session.expunge(found)
            return found

    made = poll_until(proof, timeout=30, what=f"the proof of attempt {attempt_id}")
    with database.get_session() as session:
        pdf = session.get_one(Evidence, made.evidence_id)
        path = storage.absolute_path(pdf.file_path)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return "".join(text.split()), made


def _stop(page: Page, party: str):  # type: ignore[no-untyped-def]
    return page.locator(".stop-card", has_text=party)


def _officer_context(browser, geolocation: dict[str, float]) -> BrowserContext:  # type: ignore[no-untyped-def]
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation=geolocation,
        permissions=["geolocation"],
        locale="zh-CN",
    )


def test_an_officer_serves_and_leaves_documents_offline_and_the_proofs_hold_the_facts(
    field_world: FieldWorld, make_user: Callable[..., User], database_url: str
) -> None:
    assert STATIC.is_file(), "build the desk first (npm run build in agent_desk/frontend)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    supervisor = make_user(Role.supervisor, full_name="周敏")
    officers = [
        make_user(Role.field_officer, full_name="赵刚"),
        make_user(Role.field_officer, full_name="钱伟"),
    ]
    photo = _photo()
    chunks: list[tuple[str, str | None]] = []
    port = free_port()
    public = {"SONGDA_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    with (
        api_process(database_url=database_url, bus_url="memory://", port=port, **public) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        board = browser.new_page(viewport={"width": 1366, "height": 900})
        _login(board, base, supervisor)
        board.wait_for_selector(".board-table tbody tr")
        afternoon = board.locator(".board-table tbody tr", has_text="当事人3")  # at home only after 14:00
        afternoon.locator(".window-text").click()
        afternoon.locator(".window-editor input").nth(0).fill("14:00")
        afternoon.locator(".window-editor input").nth(1).fill("18:00")
        afternoon.get_by_text("保存").click()
        board.get_by_text("已设置可送达时段 14:00–18:00").wait_for()
        board.locator(".board-table tbody tr", has_text="当事人3").get_by_text("14:00–18:00").wait_for()
        board.get_by_text("一键规划当天（2 名送达人员）").click()
        board.get_by_text("已为 2 名送达人员规划路线").wait_for()
        board.wait_for_selector(".leaflet-interactive")
        board.screenshot(path=str(SHOTS / "supervisor-map.png"))

        with database.get_session() as session:
            window = session.scalars(select(VisitWindow)).one()
            assert (window.available_from, window.available_until) == (time(14), time(18))
            visits = list(session.scalars(select(FieldAssignment).order_by(FieldAssignment.route_order)))
            assert {visit.officer_user_id for visit in visits} <= {officer.id for officer in officers}
            busiest = max(officers, key=lambda o: sum(visit.officer_user_id == o.id for visit in visits))
            mine = [visit for visit in visits if visit.officer_user_id == busiest.id]
            assert len(mine) >= 2
            officer = next(o for o in officers if o.id == mine[0].officer_user_id)
            first = mine[0]
            parties = [visit.attempt.delivery.party.name for visit in mine]
            first_point = Point(first.lon, first.lat)  # type: ignore[arg-type]

        context = _officer_context(browser, AT_THE_DOOR)
        page = context.new_page()
        page.on("pageerror", lambda error: print("page error:", error))
        page.on(
            "request",
            lambda r: (
                chunks.append((r.url, r.headers.get("upload-offset")))
                if "/api/field/uploads/" in r.url
                else None
            ),
        )
        _login(page, base, officer)
        card = _stop(page, parties[0])
        card.wait_for()
        assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)") == f"{base}/field"
        page.screenshot(path=str(SHOTS / "officer-route.png"))
        # without signal the installed page opens again from the service worker, the route from the phone
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        page.reload()
        card.wait_for()
        page.locator("#field-banner[data-state=offline]").get_by_text("保存的今日路线").wait_for()
        context.set_offline(False)
        amap = card.locator("a.nav-amap").get_attribute("href") or ""
        gcj = wgs84_to_gcj02(first_point)
        assert f"to={gcj.lon:.6f},{gcj.lat:.6f}," in amap and f"{first_point.lon:.6f}" not in amap

        card.locator(".check-in").click()
        page.wait_for_selector("#visit-form")
        context.set_offline(True)
        page.set_input_files(
            "label.capture[data-purpose=photo] input",
            files=[{"name": "handover.jpg", "mimeType": "image/jpeg", "buffer": photo}],
        )
        page.get_by_text(f"SHA-256 {hashlib.sha256(photo).hexdigest()[:12]}").first.wait_for()
        page.check("input[name=result][value=served]")
        page.fill("#received-by", f"本人 {parties[0]}")
        page.screenshot(path=str(SHOTS / "officer-stop.png"))
        _draw(page, "#signature-area", 18)
        page.click("#signature-confirm")
        page.get_by_text(f"✓ 已签名（本人 {parties[0]}）").wait_for()
        page.locator("#signature-area").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "officer-signature.png"))
        page.click("#submit-visit")
        banner = page.locator("#field-banner[data-state=offline]")
        banner.get_by_text("3 项待上传").wait_for()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / "officer-offline.png"))

        dropped: list[str] = []

        def drop_second_chunk_once(route: Route) -> None:
            if route.request.headers.get("upload-offset") == str(CHUNK) and not dropped:
                dropped.append(route.request.url)
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/api/field/uploads/*/chunk", drop_second_chunk_once)
        context.set_offline(False)
        card.locator(".download-proof").wait_for(timeout=40_000)

        # the next stop: the party refuses; the documents are left with a witness who signs, still offline
        second = _stop(page, parties[1])
        context.set_geolocation(NEXT_DOOR)  # the officer has driven to the next stop
        second.locator(".check-in").click()
        page.wait_for_selector("#visit-form")
        context.set_offline(True)
        page.check("input[name=result][value=left_with_refusal]")
        page.fill("textarea[name=refusal_note]", "当事人拒绝签收，文书留置于住所门口")
        page.click("#submit-visit")
        page.get_by_text("尚缺：见证人姓名及签名，或留置文书的照片/视频").wait_for()
        page.fill("#witness-name", "王五（物业管理员）")
        _draw(page, "#witness_signature-area", 24)
        page.click("#witness_signature-confirm")
        page.click("#submit-visit")
        banner.get_by_text("待上传").wait_for()
        context.set_offline(False)
        second.locator(".download-proof").wait_for(timeout=40_000)
        browser.close()

        offsets = [offset for url, offset in chunks]
        assert dropped and offsets.count("0") == 1, offsets  # resumed: the first chunk was never sent again
        assert offsets.count(str(CHUNK)) == 2 and len(offsets) == len(photo) // CHUNK + 2
        photo_hash = hashlib.sha256(photo).hexdigest()
        with database.get_session() as session:
            served, left = (session.get_one(DeliveryAttempt, visit.attempt_id) for visit in mine[:2])
            assert (served.status, served.outcome) == (AttemptStatus.succeeded, AttemptOutcome.served)
            assert (left.status, left.outcome) == (AttemptStatus.succeeded, AttemptOutcome.left_with_refusal)
            assert len(session.scalars(select(Evidence).where(Evidence.sha256 == photo_hash)).all()) == 1
            signature = next(
                item
                for item in session.scalars(select(Evidence).where(Evidence.content_type == "image/png"))
                if item.metadata_json.get("signer") == f"本人 {parties[0]}"
            )

        text, proof = _pdf_text(served.id)
        expected = ["116.360100,39.915200±9米", photo_hash[:24], signature.sha256[:24], officer.full_name]
        expected += [f"本人{parties[0]}", "签署送达回证", "本次里程"]
        assert [fact for fact in expected if fact not in text] == [], text
        left_text, _ = _pdf_text(left.id)
        assert "见证人王五（物业管理员）" in left_text and "留置送达" in left_text, left_text

        link = f"{base}/api/proofs/{proof.id}/verify?h={proof.chain_head_hash}"
        assert link in text  # the QR code's link is printed beside it
        check = httpx.get(link).json()
        assert check["intact"] is True
