"""Checks shared by the desk's end-to-end tests: what Asterisk registered, recordings once written, and
the desk's call timer."""

from pathlib import Path

from tests.polling import poll_until
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
    sizes = [-1]  # the size at the last look

    def settled() -> bool:
        size = path.stat().st_size if path.exists() else -1
        sizes.append(size)
        return size > 44 and size == sizes[-2]

    poll_until(settled, timeout=timeout, what=f"{path} not written", interval=0.5)
