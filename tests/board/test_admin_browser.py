"""Administration in a real browser against a real API process: the admin creates a user and disables it,
unlocks a locked one and resets a password; opens a pickup window with a weekly template and generates its
slots; and reads in the audit log who played a recording a moment ago (a clerk, with a byte range, from
which address)."""

import wave
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import func, select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.database import utcnow
from backend.evidence import service as evidence_service
from backend.evidence.enums import EvidenceKind
from backend.pickup.models import PickupSlot, PickupTemplate, PickupWindow
from tests.api.conftest import World
from tests.board.screens import check_main_region, launch, log_in, new_page
from tests.conftest import TEST_PASSWORD
from tests.desk.servers import api_process


def _recording(world: World) -> int:
    """A one-second call recording in the civil case's evidence chain."""
    buffer = BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(bytes(range(256)) * 62)
    with database.get_session() as session:
        item = evidence_service.store_evidence(
            db_session=session,
            case_id=world.civil_case_id,
            kind=EvidenceKind.recording_mix,
            content_type="audio/wav",
            content=buffer.getvalue(),
            created_by_system="test",
        )
        return item.id


def _play_from_the_middle(base: str, user: User, evidence_id: int) -> None:
    login = httpx.post(f"{base}/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['token']}", "Range": "bytes=8000-"}
    played = httpx.get(f"{base}/api/evidence/{evidence_id}/content", headers=headers)
    assert played.status_code == 206, played.text


def _create_user(page: Page) -> None:
    page.fill("#f-username", "agent-new")
    page.fill("#f-full_name", "赵新")
    page.select_option("#f-role", "agent")
    page.fill("#f-password", "start-2026-pass")
    page.fill("#f-sip_extension", "1088")
    page.fill("#f-agent_group", "民事组")
    page.click("#user-create-submit")
    page.locator("#users tr[data-username='agent-new']", has_text="1088").wait_for()
    page.locator("#users tr[data-username='agent-new'] button").click()
    page.click("#toggle-active")
    page.locator("#users tr[data-username='agent-new']", has_text="已停用").wait_for()


def _unlock_and_reset(page: Page, locked: User) -> None:
    page.locator(f"#users tr[data-username='{locked.username}'] button").click()
    page.click("#unlock")
    page.locator(f"#users tr[data-username='{locked.username}'] .tag-ok").wait_for()
    page.locator(f"#users tr[data-username='{locked.username}'] button").click()
    page.fill("#reset-password", "brand-new-secret")
    page.click("#reset-password-submit")
    page.get_by_text("密码已重置").wait_for()


def _replace(page: Page, selector: str, value: str) -> None:
    """Type VALUE over a field's default (Firefox's fill adds to a number field's value instead)."""
    page.locator(selector).clear()
    page.fill(selector, value)


def _open_window(page: Page) -> None:
    page.click("#tab-windows")
    page.fill("#window-create input[name=name]", "诉讼服务中心 9 号窗口")
    page.click("#window-create button[type=submit]")
    page.locator("#window-detail h2", has_text="9 号窗口").wait_for()
    page.fill("#template-create input[name=start]", "09:00")
    page.fill("#template-create input[name=end]", "11:00")
    _replace(page, "#template-create input[name=capacity]", "3")
    page.click("#template-create button[type=submit]")
    page.locator("#templates", has_text="09:00–11:00").wait_for()
    _replace(page, "#slots-generate input[name=days]", "7")
    page.click("#slots-generate button[type=submit]")
    page.get_by_text("已生成").wait_for()


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_the_admin_manages_users_and_windows_and_reads_who_played_a_recording(
    browser_name: str,
    world: World, make_user: Callable[..., User], database_url: str, tmp_path: Path
) -> None:
    admin = make_user(Role.admin, full_name="系统管理员")
    clerk = make_user(Role.clerk, court_id=world.court_id, full_name="陈晓")
    locked = make_user(Role.agent, full_name="孙锁")
    with database.get_session() as session:
        row = session.get(User, locked.id)
        assert row is not None
        row.locked_until = utcnow() + timedelta(hours=1)
    recording = _recording(world)
    with api_process(database_url=database_url, bus_url="memory://") as base, sync_playwright() as playwright:
        browser = launch(playwright, browser_name)
        page = new_page(browser)
        log_in(page, base, admin.username, "/admin")
        _create_user(page)
        _unlock_and_reset(page, locked)
        check_main_region(page, tmp_path / f"admin-users-{browser_name}.png")
        _open_window(page)
        check_main_region(page, tmp_path / f"admin-windows-{browser_name}.png")

        _play_from_the_middle(base, clerk, recording)
        page.click("#tab-audit")
        page.select_option("#audit-object_type", "evidence")
        page.fill("#audit-object_id", str(recording))
        page.click("#audit-search")
        expect(page.locator("#audit-rows tbody tr")).to_have_count(1)
        row = page.locator("#audit-rows tbody tr", has_text=clerk.username)
        assert "查看/播放证据" in row.inner_text() and "127.0.0.1" in row.inner_text()
        assert '"status":206' in row.inner_text() and "bytes=8000-" in row.inner_text()
        check_main_region(page, tmp_path / f"admin-audit-{browser_name}.png")
        browser.close()

    with database.get_session() as session:
        created = session.scalars(select(User).where(User.username == "agent-new")).one()
        assert (created.role, created.sip_extension, created.agent_group) == (Role.agent, "1088", "民事组")
        assert not created.is_active
        assert session.get(User, locked.id).locked_until is None  # type: ignore[union-attr]
        window = session.scalars(select(PickupWindow).where(PickupWindow.name.contains("9 号"))).one()
        template = session.scalars(select(PickupTemplate).where(PickupTemplate.window_id == window.id)).one()
        assert template.weekdays == "1,2,3,4,5" and template.capacity == 3
        slots = session.scalar(select(func.count()).where(PickupSlot.window_id == window.id))
        assert slots == 5 * 4  # five weekdays in any seven days, four half-hours from 09:00 to 11:00
