"""A tab sent to the background, as far as the page can tell. Headless Chromium keeps every tab visible and
never throttles it, so an init script stands in: while the tab is "hidden", document.visibilityState says
so, interval ticks are dropped and timeouts that come due are held back until the tab is shown again.
That is Chromium's intensive throttling (timers at most once a minute) taken to the limit; network and
media events still arrive, as they do in a real background tab."""

from typing import Any

from playwright.sync_api import Page

SCRIPT = """(() => {
  const native = { setTimeout: window.setTimeout.bind(window), setInterval: window.setInterval.bind(window),
                   clearTimeout: window.clearTimeout.bind(window) };
  const tab = { hidden: false, droppedTicks: 0, heldTimeouts: new Map() };
  const visibility = () => (tab.hidden ? 'hidden' : 'visible');
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: visibility });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => tab.hidden });
  window.setInterval = (callback, ms, ...args) =>
    native.setInterval(() => (tab.hidden ? (tab.droppedTicks += 1) : callback(...args)), ms);
  window.setTimeout = (callback, ms, ...args) => {
    const id = native.setTimeout(() => {
      if (tab.hidden) tab.heldTimeouts.set(id, () => callback(...args));
      else callback(...args);
    }, ms);
    return id;
  };
  window.clearTimeout = (id) => {
    tab.heldTimeouts.delete(id);
    native.clearTimeout(id);
  };
  window.__backgroundTab = {
    hide() {
      tab.hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
    },
    /** Back to the foreground; returns what the page shows at once, before any held timer has run. */
    show(selectors) {
      tab.hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
      const shown = Object.fromEntries(
        selectors.map((selector) => [selector, document.querySelector(selector)?.textContent ?? null]),
      );
      const held = [...tab.heldTimeouts.values()];
      tab.heldTimeouts.clear();
      native.setTimeout(() => held.forEach((run) => run()), 0);
      return { shown, droppedTicks: tab.droppedTicks, heldTimeouts: held.length };
    },
  };
})();"""


class BackgroundTab:
    """Drives the init script of one page (install before the page loads)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        page.add_init_script(SCRIPT)

    def hide(self) -> None:
        self.page.evaluate("window.__backgroundTab.hide()")

    def show(self, *selectors: str) -> dict[str, Any]:
        """Show the tab again; the text of SELECTORS right after, the dropped ticks and held timeouts."""
        return self.page.evaluate("selectors => window.__backgroundTab.show(selectors)", list(selectors))
