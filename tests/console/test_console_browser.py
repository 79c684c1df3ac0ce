"""The court staff console in a browser against a real API process (issue 13): a clerk lands on the cases,
finds a case by its number typed with other brackets, opens the case file, plays a recording from the
middle (the player's time moves, the server answers 206 through the signed link), sees the line being
spoken highlighted, downloads a proof, verifies the evidence chain and reads a document in the page - in
Chromium and in Firefox. Each role lands where it should and every console page shows a non-empty main
region; the API docs render with the network to anything but Songda blocked."""

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, Route
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.evidence.models import Evidence
from tests.api.conftest import World
from tests.console.browser import check_main_region, log_in, new_page, served
from tests.console.world import DIALOGUE, BigCase
from tests.desk_e2e.pages import page_sleep
from tests.polling import poll_until

STATIC = Path(__file__).resolve().parents[2] / "agent_desk" / "static" / "casefile.html"
LINE = 4  # the fifth line of the dialogue, 11.5 s into the 20 s recording
LANDING = {
    Role.clerk: "/cases",
    Role.supervisor: "/wall",
    Role.admin: "/console",
    Role.agent: "/desk",
    Role.field_officer: "/field",
}
CONSOLE_PAGES = {
    Role.clerk: ["案件", "案件导入", "庭审排期", "法院窗口", "邮寄送达"],
    Role.supervisor: [
        *["坐席工作台", "监控墙", "案件", "庭审排期"],
        *["送达看板", "法院窗口", "邮寄送达", "外出送达"],
    ],
}


def _current_time(page: Page) -> float:
    return float(page.evaluate("() => document.querySelector('.call-audio')?.currentTime ?? -1"))


def _clerk_reads_the_case_file(page: Page, base: str, case: BigCase, clerk: User, shots: Path) -> None:
    log_in(page, base, clerk.username)
    page.wait_for_url(f"{base}/cases")
    half_width = case.case_number.replace("（", "(").replace("）", ")")
    page.fill("#search input[name=case_number]", half_width)
    page.press("#search input[name=case_number]", "Enter")
    page.get_by_role("link", name=case.case_number).click()
    page.wait_for_url(f"{base}/cases/{case.case_id}")
    page.wait_for_selector("body[data-ready=all]")
    check_main_region(page, shots / "case-file.png")

    media: list[Response] = []
    page.on("response", lambda response: "/api/evidence/media/" in response.url and media.append(response))
    call = page.locator(".call-card").first
    call.locator(".transcript .line").nth(LINE).click()
    start = DIALOGUE[LINE][1]
    first = poll_until(
        lambda: (t := _current_time(page)) >= start and t,
        timeout=15,
        what=lambda: f"the player did not seek to {start} s (at {_current_time(page)})",
        sleep=page_sleep(page),
    )
    poll_until(
        lambda: _current_time(page) > first + 0.3,
        timeout=15,
        what=lambda: f"the player's time did not move past {first} (at {_current_time(page)})",
        sleep=page_sleep(page),
    )
    assert any(response.status == 206 for response in media), [response.status for response in media]
    highlighted = call.locator(".transcript .line.current")
    assert int(highlighted.get_attribute("data-index") or -1) >= LINE
    assert float(highlighted.get_attribute("data-start") or 0) <= _current_time(page)

    with page.expect_download() as download_info:
        page.locator(".download-proof").first.click()
    saved = Path(download_info.value.path())
    with database.get_session() as session:
        proof = session.get_one(Evidence, case.proof_evidence_ids[0])
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == proof.sha256
    assert saved.read_bytes().startswith(b"%PDF")

    page.click("#verify")
    page.wait_for_selector("#verify-result.verify-ok")
    assert "完好" in page.locator(".proof-row .verify-state").first.inner_text()

    page.locator(".view-document").first.click()
    page.wait_for_selector(".pdf-page[data-rendered=true] canvas")
    check_main_region(page, shots / "case-file-document.png", ".pdf-page", min_text=0)


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_a_clerk_plays_a_recording_from_the_middle_and_downloads_a_proof(
    browser_name: str,
    world: World,
    big_case: Callable[..., BigCase],
    make_user: Callable[..., User],
    database_url: str,
    tmp_path: Path,
) -> None:
    assert STATIC.is_file(), "build the desk first (npm run build in agent_desk/frontend)"
    case = big_case(parties=3, attempts=9, calls=2)
    clerk = make_user(Role.clerk, court_id=world.court_id, full_name="陈晓")
    with served(database_url, browser_name) as (base, browser):
        _clerk_reads_the_case_file(new_page(browser), base, case, clerk, tmp_path)
    with database.get_session() as session:
        reads = session.scalars(
            select(AuditLog).where(AuditLog.action == "evidence_read", AuditLog.actor_user_id == clerk.id)
        ).all()
        by_link = [row.detail for row in reads if row.detail.get("via") == "signed_link"]
        assert any(detail["status"] == 206 for detail in by_link), by_link
        assert any(int(row.object_id or 0) == case.proof_evidence_ids[0] for row in reads)
        actions = set(session.scalars(select(AuditLog.action).where(AuditLog.actor_user_id == clerk.id)))
    assert {"case_file_read", "case_calls_read", "evidence_link_issued", "evidence_verified"} <= actions


def test_each_role_lands_on_its_pages_and_every_console_page_shows_its_content(
    world: World,
    big_case: Callable[..., BigCase],
    make_user: Callable[..., User],
    database_url: str,
    tmp_path: Path,
) -> None:
    case = big_case(parties=2, attempts=4, calls=1)
    users = {role: make_user(role, court_id=world.court_id) for role in LANDING}
    with served(database_url) as (base, browser):
        hint = new_page(browser)
        hint.goto(f"{base}/login")
        words = hint.locator(".login-box .muted").inner_text()
        assert all(name in words for name in ["服务专员", "主管", "法院书记员", "外出送达人员", "系统管理员"])
        for role, user in users.items():
            page = new_page(browser)
            log_in(page, base, user.username)
            page.wait_for_url(f"{base}{LANDING[role]}")
            if role is Role.agent:  # the desk has the navigation bar too, its own page marked
                page.locator("#nav a[aria-current=page]", has_text="坐席工作台").wait_for()
                assert page.locator("#nav a").all_inner_texts() == ["首页", "坐席工作台"]
                page.screenshot(path=str(tmp_path / "agent-desk.png"))
            if role not in (Role.clerk, Role.supervisor, Role.admin):
                continue
            page.goto(f"{base}/console")
            cards = page.locator(".console-card strong").all_inner_texts()
            if role in CONSOLE_PAGES:
                assert cards == CONSOLE_PAGES[role]
            assert page.locator("#nav a").all_inner_texts() == ["首页", *cards]
            for name, path in [
                ("console", "/console"),
                ("cases", "/cases"),
                ("case-file", f"/cases/{case.case_id}"),
                ("docs", "/docs"),
            ]:
                page.goto(f"{base}{path}")
                if name == "case-file":
                    page.wait_for_selector("body[data-ready=all]")
                elif name == "cases":
                    page.wait_for_selector("#results table tbody tr")
                elif name == "docs":
                    page.wait_for_selector(".opblock-tag")
                check_main_region(page, tmp_path / f"{role.value}-{name}.png")
            current = page.locator("#nav a[aria-current=page]").all_inner_texts()
            assert current == [], current  # /docs is no page of the role's own


def test_the_api_docs_render_with_nothing_but_songda_reachable(
    database_url: str, db: object, tmp_path: Path
) -> None:
    with served(database_url) as (base, browser):
        page = new_page(browser)
        elsewhere: list[str] = []

        def only_songda(route: Route) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_songda)
        page.goto(f"{base}/api/docs")
        page.wait_for_selector(".opblock-tag")
        assert page.locator(".opblock-tag", has_text="案件").count() >= 1
        check_main_region(page, tmp_path / "docs.png", "#swagger-ui")
        assert elsewhere == []
