"""Browser helpers of the console's tests: launching Chromium or Firefox, logging in, and the check that a
page's main region shows something (its screenshot is not blank)."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.conftest import TEST_PASSWORD
from tests.desk.servers import api_process

CHROMIUM = "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"  # Debian's, installed by scripts/setup.sh (scripts/apt-packages.txt)

MIN_MAIN_HEIGHT = 120  # CSS pixels: a main region shorter than this is taken as blank
MIN_COLOURS = 8  # distinct colours in the main region's screenshot: text, borders, backgrounds


@contextmanager
def launched(playwright: Playwright, name: str) -> Iterator[Browser]:
    """Chromium (/usr/bin/chromium) or Debian's Firefox ESR (over WebDriver BiDi), headless."""
    if name == "firefox":
        browser = playwright.firefox.launch(
            channel="moz-firefox",
            executable_path=FIREFOX,
            headless=True,
            firefox_user_prefs={
                "media.autoplay.default": 0,
                "media.autoplay.blocking_policy": 0,
                "pdfjs.disabled": True,  # a downloaded PDF is saved, not opened in Firefox's own viewer
                "browser.download.open_pdf_attachments_inline": False,
            },
        )
    else:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--autoplay-policy=no-user-gesture-required"]
        )
    try:
        yield browser
    finally:
        browser.close()


@contextmanager
def served(database_url: str, browser_name: str = "chromium") -> Iterator[tuple[str, Browser]]:
    """A real API process on DATABASE_URL and a browser: yields (base URL, browser)."""
    with (
        api_process(database_url=database_url, bus_url="memory://") as base,
        sync_playwright() as playwright,
        launched(playwright, browser_name) as browser,
    ):
        yield base, browser


def new_page(browser: Browser) -> Page:
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    return context.new_page()


def log_in(page: Page, base: str, username: str, *, next_path: str = "") -> None:
    """Log in on the login page (then the page goes where the role lands, or to NEXT_PATH)."""
    page.goto(f"{base}/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.click("#login-form button[type=submit]")


def check_main_region(page: Page, shot: Path, selector: str = "main", *, min_text: int = 20) -> None:
    """Screenshot the page to SHOT and fail unless its main region is visible, tall enough, has text (at
    least MIN_TEXT characters; a drawn PDF page has none) and its pixels are not one blank colour."""
    main = page.locator(selector).first
    main.wait_for(state="visible")
    box = main.bounding_box()
    assert box is not None and box["height"] >= MIN_MAIN_HEIGHT and box["width"] > 300, (shot.name, box)
    assert len(main.inner_text().strip()) >= min_text, f"{shot.name}: the main region has no text"
    page.screenshot(path=str(shot))
    top = max(box["y"], 0)
    visible = {"x": box["x"], "y": top, "width": box["width"], "height": min(box["height"], 1000 - top)}
    pixels = Image.open(io.BytesIO(page.screenshot(clip=visible))).convert("RGB")
    colours = pixels.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) >= MIN_COLOURS, f"{shot.name}: the main region looks blank"
