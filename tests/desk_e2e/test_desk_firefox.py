"""The same desk in Firefox (Debian's firefox-esr over WebDriver BiDi, on the real Asterisk): the browser
phone registers, the agent takes the task and calls, the system rings the browser and it answers, Firefox's
fake microphone reaches the agent-leg recording, the supervisor's wall (Firefox too) shows the call live,
and the agent hangs up and records the party's consent to e-delivery."""

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from backend import database
from backend.calls.models import CallRecord
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.models import AddressConfirmation, DeliveryAttempt
from tests.desk_e2e.audio import tone_share
from tests.desk_e2e.checks import TIMER_AT_LEAST, registered_contact, wait_file_settled
from tests.desk_e2e.conftest import FIREFOX_TONE_HZ, LiveServer
from tests.desk_e2e.pages import log_in
from tests.desk_e2e.world import PARTY_NUMBER, DeskWorld
from tests.telephony.conftest import AsteriskUnderTest
from tests.telephony.raw_ami import RawAmiSession

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

TALK_SECONDS = 4
TONE = 0.5  # share of the agent leg's energy at the fake microphone's pitch (speech: about 0.001)


@pytest.fixture()
def desk_phones() -> tuple[str, str]:
    """Phones of this module's own, so a Chromium test on the same Asterisk never rings this browser."""
    return "1011", "1012"


def _open_desk(context: BrowserContext, server: LiveServer, world: DeskWorld, errors: list[str]) -> Page:
    desk = context.new_page()
    desk.on("pageerror", lambda error: errors.append(str(error)))
    log_in(desk, f"{server.base_url}/desk", world.agent_username, world.password)
    return desk


def test_agent_works_a_task_in_firefox(
    live_server: LiveServer,
    desk_world: DeskWorld,
    open_firefox_context: Callable[[], BrowserContext],
    asterisk: AsteriskUnderTest,
    ami: RawAmiSession,
) -> None:
    page_errors: list[str] = []
    desk = _open_desk(open_firefox_context(), live_server, desk_world, page_errors)
    expect(desk.locator("#phone-registration")).to_have_attribute("data-state", "registered", timeout=20_000)
    contact = registered_contact(ami, f"web{desk_world.agent_extension}")
    assert contact["UserAgent"] == "Songda-Desk"
    desk.click("#presence-available")
    expect(desk.locator("#presence-state")).to_have_attribute("data-state", "available")

    wall = open_firefox_context().new_page()
    wall.on("pageerror", lambda error: page_errors.append(str(error)))
    log_in(wall, f"{live_server.base_url}/wall", desk_world.supervisor_username, desk_world.password)
    agent_row = wall.locator("#wall-agents tbody tr", has_text="王晓梅")
    expect(agent_row).to_contain_text("空闲", timeout=10_000)

    desk.keyboard.press("n")  # 下一个任务
    expect(desk.locator("#task-case-number")).to_have_text(desk_world.case_number, timeout=10_000)
    desk.click(f".contact[data-contact-point-id='{desk_world.phone_contact_id}'] [data-action=call]")
    expect(desk.locator("#phone-call-state")).to_have_attribute("data-state", "active", timeout=30_000)
    call_state = desk.locator("#call-state")
    expect(call_state).to_have_attribute("data-state", "talking", timeout=20_000)
    call_id = call_state.get_attribute("data-call-id") or ""
    wall_call = wall.locator(f"#wall-calls tr[data-call-id='{call_id}']")
    expect(wall_call).to_contain_text("王晓梅", timeout=10_000)
    expect(agent_row).to_contain_text("通话中")
    desk.wait_for_function(TIMER_AT_LEAST, arg=TALK_SECONDS, timeout=20_000)

    desk.keyboard.press("h")  # 挂断
    expect(call_state).to_have_attribute("data-state", "ended", timeout=15_000)
    expect(desk.locator("#presence-state")).to_have_attribute("data-state", "wrap_up")
    desk.keyboard.press("2")  # 电子送达
    expect(desk.locator("input[name=mobile]")).to_have_value(PARTY_NUMBER)
    desk.check("input[name=consent]")
    desk.keyboard.press("Control+Enter")
    expect(desk.locator("#toast")).to_contain_text("已保存处理结果", timeout=10_000)
    expect(desk.locator("#presence-state")).to_have_attribute("data-state", "available")
    assert page_errors == []

    _assert_consent_recorded(desk_world, call_id)
    recordings = asterisk.recording_paths(call_id)
    wait_file_settled(recordings.agent, timeout=15)
    wait_file_settled(recordings.party, timeout=15)
    agent_share = tone_share(recordings.agent, FIREFOX_TONE_HZ)
    assert agent_share > TONE, f"agent leg: {agent_share:.3f} of its energy at {FIREFOX_TONE_HZ} Hz"
    assert tone_share(recordings.party, FIREFOX_TONE_HZ) < TONE / 5  # the party speaks: no tone there


def _assert_consent_recorded(world: DeskWorld, call_id: str) -> None:
    with database.get_session() as session:
        record = session.scalar(select(CallRecord).where(CallRecord.call_id == call_id))
        attempts = list(
            session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == world.delivery_id))
        )
        confirmation = session.scalar(
            select(AddressConfirmation).where(AddressConfirmation.delivery_id == world.delivery_id)
        )
        phone = [a for a in attempts if a.method is DeliveryMethod.phone]
        planned = [a for a in attempts if a.method is DeliveryMethod.electronic]
        assert record is not None and record.answered_at is not None
        assert len(phone) == 1 and phone[0].id == record.delivery_attempt_id
        assert phone[0].outcome is AttemptOutcome.electronic_consent
        assert len(planned) == 1 and planned[0].status is AttemptStatus.planned
        assert confirmation is not None and confirmation.consents_to_electronic
        assert confirmation.mobile == PARTY_NUMBER
        assert confirmation.obtained_via is DeliveryMethod.phone
