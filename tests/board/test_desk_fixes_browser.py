"""What new users stumbled on, in a real browser against a real API process: an offline agent who asks for
a task is told why and given the way out (设为空闲), which then hands them the task; a call's end shows its
Q.850 cause in words; a desk tab closed leaves
the wall showing the agent offline within the grace, not 空闲 for minutes; a supervisor without an extension
is told how to get one instead of "will call your registered phone"."""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import WebSocketRoute, expect, sync_playwright
from sqlalchemy import Engine

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.database import utcnow
from backend.desk.live_calls import CallOwner, LiveCallBoard
from backend.desk.models import AgentPresence, TaskLock
from telephony.events import CallEnded, CallOriginated
from tests.board.screens import check_main_region, launch, log_in, new_page
from tests.desk.servers import api_process
from tests.desk.world import add_delivery
from tests.polling import poll_until

GRACE_SECONDS = 1
PAGE_WAIT_MS = 20_000  # a loaded test machine may take seconds to load a page


def _pass_through(page_side: WebSocketRoute) -> WebSocketRoute:
    """Connect the page's socket to the server unchanged; the test may add messages of its own."""
    server_side = page_side.connect_to_server()
    page_side.on_message(server_side.send)
    server_side.on_message(page_side.send)
    return page_side


def _ended_call_event(delivery_id: int) -> dict[str, Any]:
    """The `me` event the hub sends when a desk call ends busy (Q.850 cause 17), made by its code."""
    board = LiveCallBoard()
    at = utcnow()
    owner = CallOwner(agent_user_id=0, delivery_id=delivery_id, attempt_id=0, number="13800138000")
    board.apply(
        CallOriginated(call_id="c-busy", at=at, agent_endpoint="web7311", number="13800138000"), owner
    )
    ended = CallEnded(
        call_id="c-busy", at=at, agent_answered=True, party_answered=False, dial_status="BUSY", cause=17
    )
    call = board.apply(ended, owner)
    return {"type": "event", "topic": "me", "seq": 10_000, "data": {"kind": "call", "call": call}}


def _state(user_id: int) -> str | None:
    with database.get_session() as session:
        row = session.get(AgentPresence, user_id)
        return row.state.value if row is not None else None


def test_an_offline_agent_is_told_why_and_takes_the_task_after_becoming_available(
    db: Engine, make_user: Callable[..., User], database_url: str, tmp_path: Path
) -> None:
    made = add_delivery()
    agent = make_user(Role.agent, full_name="李娜")
    with api_process(database_url=database_url, bus_url="memory://") as base, sync_playwright() as playwright:
        browser = launch(playwright, "chromium")
        page = new_page(browser)
        sockets: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/ws$"), lambda route: sockets.append(_pass_through(route)))
        log_in(page, base, agent.username, "/desk")
        expect(page.locator("#presence-state")).to_have_attribute(
            "data-state", "offline", timeout=PAGE_WAIT_MS
        )
        page.click("#next-task")
        refusal = page.locator("#desk-refusal[data-code='not_available']")
        expect(refusal).to_contain_text("您当前为「离线」状态")
        expect(refusal).to_contain_text("设为空闲")
        assert "暂无待办任务" not in page.inner_text("body")
        check_main_region(page, tmp_path / "desk-refusal.png")
        page.click("#refusal-available")
        expect(page.locator("#presence-state")).to_have_attribute("data-state", "available")
        expect(page.locator("#task-case-number")).to_be_visible()
        assert page.locator("#desk-refusal").count() == 0

        sockets[-1].send(json.dumps(_ended_call_event(made.delivery_id)))  # as the hub sends a call's end
        outcome = page.locator("#call-outcome")
        expect(outcome).to_have_text("结果：忙线（用户忙）")
        assert "原因码" not in outcome.inner_text()
        browser.close()
    with database.get_session() as session:
        lock = session.query(TaskLock).filter_by(user_id=agent.id).one()
        assert lock.delivery_id == made.delivery_id


def test_a_closed_desk_tab_shows_the_agent_offline_on_the_wall(
    db: Engine, make_user: Callable[..., User], database_url: str, tmp_path: Path
) -> None:
    agent = make_user(Role.agent, full_name="王磊", sip_extension="7311")
    supervisor = make_user(Role.supervisor, full_name="周敏")  # no extension
    settings = {"SONGDA_DESK_PRESENCE_GRACE_SECONDS": str(GRACE_SECONDS)}
    with (
        api_process(database_url=database_url, bus_url="memory://", **settings) as base,
        sync_playwright() as playwright,
    ):
        browser = launch(playwright, "chromium")
        wall = new_page(browser)
        log_in(wall, base, supervisor.username, "/wall")
        expect(wall.locator("#no-extension")).to_contain_text("您尚未配置分机", timeout=PAGE_WAIT_MS)
        expect(wall.locator("#phone")).to_contain_text("系统管理 › 用户与角色")
        assert "登记的话机" not in wall.inner_text("#phone")

        desk = new_page(browser)
        log_in(desk, base, agent.username, "/desk")
        expect(desk.locator("#connection")).to_have_attribute("data-state", "open", timeout=PAGE_WAIT_MS)
        desk.click("#presence-available")
        row = wall.locator(f"#agents tr[data-user-id='{agent.id}']")
        expect(row).to_contain_text("空闲", timeout=PAGE_WAIT_MS)
        check_main_region(wall, tmp_path / "wall.png")

        desk.context.close()  # the tab is gone: no logout, no presence change sent
        expect(row).to_contain_text("离线", timeout=(GRACE_SECONDS + 10) * 1000)
        assert poll_until(lambda: _state(agent.id) == "offline", timeout=5, what="presence not offline")
        browser.close()
