"""The desk's live channel in a real browser: it logs in with its first message (no token in the URL), after
a lost connection it reconnects by itself, logs in again and takes the server's fresh snapshot (so what it
missed is not lost); a revoked token sends it back to the login page."""

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, WebSocketRoute, expect

from tests.desk_e2e.conftest import LiveServer
from tests.desk_e2e.pages import log_in, page_sleep
from tests.desk_e2e.world import DeskWorld
from tests.polling import poll_until


class FlakyLink:
    """Sits between the page and /ws: can stop passing the server's messages, and can cut the line."""

    def __init__(self) -> None:
        self.connections = 0
        self.urls: list[str] = []
        self.sent: list[list[str]] = []  # per connection, what the page sent
        self.passing = True
        self.passed: list[str] = []
        self.dropped: list[str] = []
        self.page_side: WebSocketRoute | None = None

    def route(self, page_side: WebSocketRoute) -> None:
        self.connections += 1
        self.urls.append(page_side.url)
        self.passing, self.page_side = True, page_side
        server_side = page_side.connect_to_server()
        sent: list[str] = []
        self.sent.append(sent)

        def to_server(message: str | bytes) -> None:
            sent.append(str(message))
            server_side.send(message)

        page_side.on_message(to_server)
        server_side.on_message(lambda message: self.forward(page_side, message))

    def forward(self, page_side: WebSocketRoute, message: str | bytes) -> None:
        if self.passing:
            self.passed.append(str(message))
            page_side.send(message)
        else:
            self.dropped.append(str(message))

    def wait_presence(self, page: Page, messages: list[str], state: str) -> None:
        """Poll until a presence event of STATE is in MESSAGES (the page runs the route: wait through it)."""
        poll_until(
            lambda: any(state in _presence_states(message) for message in messages),
            timeout=10,
            what=f"no presence event {state}",
            interval=0.1,
            sleep=page_sleep(page),
        )

    def wait_snapshot(self, page: Page, topic: str) -> None:
        """Poll until the snapshot of TOPIC has passed to the page."""
        poll_until(
            lambda: topic in {snapshot for message in self.passed for snapshot in _snapshot_topics(message)},
            timeout=10,
            what=f"no snapshot of {topic}",
            interval=0.1,
            sleep=page_sleep(page),
        )

    def cut(self) -> None:
        assert self.page_side is not None
        self.page_side.close(code=1006, reason="network lost")


def _messages(frame: str) -> list[dict[str, Any]]:
    """The messages in a frame (one message, or a batch of them: the desk asks for batches)."""
    envelope = json.loads(frame)
    return list(envelope["data"]) if envelope["type"] == "batch" else [envelope]


def _snapshot_topics(frame: str) -> list[str]:
    return [message["topic"] for message in _messages(frame) if message.get("type") == "snapshot"]


def _presence_states(frame: str) -> list[str]:
    datas = [message.get("data") or {} for message in _messages(frame)]
    return [(data.get("presence") or {}).get("state") for data in datas if data.get("kind") == "presence"]


def _api_login(base_url: str, world: DeskWorld) -> dict[str, str]:
    response = httpx.post(
        f"{base_url}/api/auth/login", json={"username": world.agent_username, "password": world.password}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.mark.asterisk  # its live server owns AMI on the real Asterisk
def test_desk_reconnects_applies_the_snapshot_and_leaves_when_the_token_is_revoked(
    live_server: LiveServer, desk_world: DeskWorld, open_context: Callable[[], BrowserContext]
) -> None:
    link = FlakyLink()
    context = open_context()
    page = context.new_page()
    desk_socket_url = live_server.base_url.replace("http", "ws", 1) + "/ws"
    page.route_web_socket(re.compile(re.escape(desk_socket_url) + "$"), link.route)  # not the phone's /ws
    log_in(page, f"{live_server.base_url}/desk", desk_world.agent_username, desk_world.password)
    presence = page.locator("#presence-state")
    link.wait_snapshot(page, "me")  # subscribed: a change from now on comes as an event, not in a snapshot
    page.click("#presence-available")
    expect(presence).to_have_attribute("data-state", "available")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    link.wait_presence(page, link.passed, "available")

    # Events are lost on the way: a change made elsewhere does not reach the page...
    link.passing = False
    other_session = _api_login(live_server.base_url, desk_world)
    response = httpx.post(
        f"{live_server.base_url}/api/desk/presence",
        json={"state": "break", "reason": "培训"},
        headers=other_session,
    )
    assert response.status_code == 200, response.text
    link.wait_presence(page, link.dropped, "break")
    expect(presence).to_have_attribute("data-state", "available")

    # ...until the line drops: the page reconnects with backoff and applies the new snapshot.
    link.cut()
    expect(presence).to_have_attribute("data-state", "break", timeout=15_000)
    expect(presence).to_contain_text("培训")
    assert link.connections == 2
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")

    # Logging out elsewhere revokes this tab's token: the server closes with 4401, the page leaves.
    token = page.evaluate("sessionStorage.getItem('songda.token')")
    assert link.urls == [desk_socket_url, desk_socket_url]
    login = {"type": "auth", "data": {"token": token, "topics": ["me", "queue"], "batch": True}}
    assert [json.loads(sent[0]) for sent in link.sent] == [login, login]
    logout = httpx.post(
        f"{live_server.base_url}/api/auth/logout", headers={"Authorization": f"Bearer {token}"}
    )
    assert logout.status_code == 204
    page.wait_for_url(re.compile(r"/login\?next=%2Fdesk&reason=expired"), timeout=15_000)
    expect(page.locator("#login-error")).to_have_text("登录已失效，请重新登录。")
