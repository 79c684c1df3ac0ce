"""The agent chooses the phone's microphone and speaker (Chromium's fake devices): the choice is kept in
this browser across a reload, the next call captures from that microphone, and its sound plays on that
speaker."""

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.desk_e2e.conftest import LiveServer
from tests.desk_e2e.pages import log_in
from tests.desk_e2e.world import DeskWorld

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

MICROPHONE, SPEAKER = "Fake Audio Input 2", "Fake Audio Output 1"
# Which device each microphone stream the page opened actually captures from.
RECORD_MICROPHONES = """
window.songdaMicrophones = [];
const openMicrophone = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = async (constraints) => {
  const stream = await openMicrophone(constraints);
  stream.getAudioTracks().forEach((track) => window.songdaMicrophones.push(track.getSettings().deviceId));
  return stream;
};
"""


@pytest.fixture()
def desk_phones() -> tuple[str, str]:
    return "1011", "1012"


def _choose(page: Page, select: str, label: str) -> str:
    """Pick the device labelled LABEL in the settings panel; returns its device id."""
    option = page.locator(f"{select} option", has_text=label)
    expect(option).to_have_count(1, timeout=10_000)
    device_id = option.get_attribute("value") or ""
    page.select_option(select, value=device_id)
    return device_id


def test_chosen_microphone_and_speaker_serve_the_next_call(
    live_server: LiveServer, desk_world: DeskWorld, open_context: Callable[[], BrowserContext]
) -> None:
    context = open_context()
    context.add_init_script(RECORD_MICROPHONES)
    desk = context.new_page()
    log_in(desk, f"{live_server.base_url}/desk", desk_world.agent_username, desk_world.password)
    registration = desk.locator("#phone-registration")
    expect(registration).to_have_attribute("data-state", "registered", timeout=20_000)

    desk.click(".phone-settings summary")
    desk.get_by_role("button", name="刷新设备列表").click()
    microphone = _choose(desk, "#phone-input", MICROPHONE)
    speaker = _choose(desk, "#phone-output", SPEAKER)
    assert microphone and speaker and microphone != "default"

    desk.reload()  # the choice belongs to this browser, not to the session
    expect(registration).to_have_attribute("data-state", "registered", timeout=20_000)
    remote_audio = desk.locator("#remote-audio")
    expect(remote_audio).to_have_js_property("sinkId", speaker, timeout=10_000)
    desk.evaluate("window.songdaMicrophones = []")

    desk.click("#presence-available")
    expect(desk.locator("#presence-state")).to_have_attribute("data-state", "available")
    desk.keyboard.press("n")
    expect(desk.locator("#task-case-number")).to_have_text(desk_world.case_number, timeout=10_000)
    desk.click(f".contact[data-contact-point-id='{desk_world.phone_contact_id}'] [data-action=call]")
    expect(desk.locator("#phone-call-state")).to_have_attribute("data-state", "active", timeout=30_000)
    assert desk.evaluate("window.songdaMicrophones") == [microphone]
    expect(remote_audio).to_have_js_property("sinkId", speaker)

    desk.keyboard.press("h")
    expect(desk.locator("#call-state")).to_have_attribute("data-state", "ended", timeout=15_000)
