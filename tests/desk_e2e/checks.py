"""Checks shared by the desk's end-to-end tests: what Asterisk registered, recordings once written, and
the desk's call timer."""

import time
from pathlib import Path

from tests.telephony.raw_ami import RawAmiSession

TIMER_AT_LEAST = """seconds => {
  const timer = document.querySelector('#call-timer');
  const [minutes, rest] = (timer ? timer.textContent : '0:0').split(':').map(Number);
  return minutes * 60 + rest >= seconds;
}"""


def registered_contact(ami: RawAmiSession, endpoint: str) -> dict[str, str]:
    """The contact Asterisk holds for ENDPOINT (PJSIPShowContacts)."""
    ami.action("PJSIPShowContacts")
    return ami.wait_event(
        lambda e: e.get("Event") == "ContactList" and e.get("Endpoint") == endpoint, timeout=10
    )


def wait_file_settled(path: Path, *, timeout: float) -> None:
    """MixMonitor closes the file after the hang-up: wait until it exists and stops growing."""
    deadline, last = time.monotonic() + timeout, -1
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size > 44 and size == last:
            return
        last = size
        time.sleep(0.5)  # poll interval
    raise TimeoutError(f"{path} not written")
