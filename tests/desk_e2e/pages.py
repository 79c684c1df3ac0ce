"""Browser helpers shared by the desk's end-to-end tests."""

import re
from collections.abc import Callable

from playwright.sync_api import Browser, BrowserContext, Page


def page_sleep(page: Page) -> Callable[[float], None]:
    """`poll_until`'s SLEEP waiting on PAGE: the page runs its listeners meanwhile (time.sleep does not)."""
    return lambda seconds: page.wait_for_timeout(seconds * 1000)


def new_context(browser: Browser) -> BrowserContext:
    """A fresh context as an agent's browser in Beijing would be."""
    return browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )


def log_in(page: Page, url: str, username: str, password: str) -> None:
    """Open URL, get sent to the login page, log in, come back to URL."""
    page.goto(url)
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(url)
