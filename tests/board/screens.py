"""Browser helpers of the board's and the administration's tests: log in, and check a page's screenshot
shows a visible main region with something drawn in it (not a blank page)."""

import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, Playwright

from tests.conftest import TEST_PASSWORD

CHROMIUM = "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"


def launch(playwright: Playwright, name: str) -> Browser:
    """Chromium, or Debian's Firefox ESR over WebDriver BiDi (as tests/desk_e2e does)."""
    if name == "firefox":
        return playwright.firefox.launch(channel="moz-firefox", executable_path=FIREFOX, headless=True)
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])


def new_page(browser: Browser) -> Page:
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    return context.new_page()


def log_in(page: Page, base_url: str, username: str, path: str) -> None:
    page.goto(f"{base_url}/login?next={path}")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(path) + r"($|#|\?)"))


def check_main_region(page: Page, path: Path) -> None:
    """Save a screenshot at PATH; the page's <main> must be visible, hold text, and be drawn in more than a
    handful of colours."""
    main = page.locator("main")
    assert main.is_visible(), "the main region is not visible"
    assert main.inner_text().strip(), "the main region is empty"
    box = main.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100, box
    page.screenshot(path=str(path))
    image = Image.open(io.BytesIO(path.read_bytes())).convert("RGB")
    left, top = int(box["x"]), int(box["y"])
    region = image.crop(
        (left, top, min(image.width, left + int(box["width"])), min(image.height, top + int(box["height"])))
    )
    colours = region.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 20, f"the main region of {path.name} is nearly blank ({len(colours)} colours)"
