"""The party portal in Chromium at phone size (390x844) against a real API process: the party follows the
link of the SMS in the outbox, logs in with the SMS code, views both documents (PDF.js, every page shown
is reported), signs the 送达回证 on the canvas, and the delivery is served with a 电子送达凭证 whose PDF
states every fact with its evidence; WeChat login through a local server speaking WeChat's protocol binds
the WeChat to the party after an SMS code, and logs straight in the next time."""

import re
import subprocess
from collections.abc import Callable
from datetime import datetime

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select

from backend import database
from backend.core.clock import BEIJING
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import DeliveryAttempt
from backend.evidence import storage
from backend.evidence.models import Evidence
from backend.messaging.models import SmsOutbox
from backend.portal.models import WechatBinding
from backend.proofs.models import ProofOfService
from tests.desk.servers import api_process, free_port
from tests.polling import poll_until
from tests.portal.helpers import last_code
from tests.portal.wechat_double import wechat_double
from tests.portal.world import PortalParty

PHONE = {"width": 390, "height": 844}


def _phone_page(playwright: object) -> Page:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)  # type: ignore[attr-defined]
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    return context.new_page()


def _sms_link(party: PortalParty) -> str:
    """The path of the personal link in the notice SMS, as the party's phone shows it."""
    with database.get_session() as session:
        text = session.scalars(
            select(SmsOutbox.text).where(
                SmsOutbox.attempt_id == party.attempt_id, SmsOutbox.purpose == "electronic_notice"
            )
        ).one()
    found = re.search(r"https?://[^/\s]+(/s/[A-Za-z0-9_-]+)", text)
    assert found is not None, text
    return found.group(1)


def _draw(page: Page, area: str) -> None:
    canvas = page.locator(f"{area} canvas[data-ready]")
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 22):
        page.mouse.move(x + step * 14, y + (-1) ** step * 25, steps=2)
    page.mouse.up()


def _view(page: Page, document_id: int, pages: int) -> None:
    page.click(f"button[data-doc='{document_id}']")
    page.wait_for_selector("#pdf[data-reported]")
    for number in range(2, pages + 1):
        page.locator(f".pdf-page[data-page='{number}']").scroll_into_view_if_needed()
    page.wait_for_selector(f"#pdf[data-reported='{pages}']")
    page.click("#back")
    page.wait_for_selector(".delivery-card")


def _proof_text(attempt_id: int) -> str:
    def proof_file() -> Evidence | None:
        with database.get_session() as session:
            proof = session.scalars(
                select(ProofOfService).where(ProofOfService.attempt_id == attempt_id)
            ).first()
            item = session.get(Evidence, proof.evidence_id) if proof and proof.evidence_id else None
            if item is not None:
                session.expunge(item)
            return item

    item = poll_until(proof_file, timeout=30, what="the electronic proof was generated")
    pdf = storage.absolute_path(item.file_path)
    return "".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )


def test_a_party_follows_the_sms_link_logs_in_views_signs_and_is_served_with_the_electronic_proof(
    make_party: Callable[..., PortalParty], database_url: str
) -> None:
    party = make_party(name="王芳")
    link = _sms_link(party)
    with api_process(database_url=database_url, bus_url="memory://") as base, sync_playwright() as playwright:
        page = _phone_page(playwright)
        page.goto(f"{base}{link}")
        page.get_by_text("您有法院文书待查收").wait_for()
        page.click("#send-code")
        page.wait_for_selector("#send-code:disabled")
        code = poll_until(lambda: _code_or_none(party.mobile), timeout=10, what="the login SMS")
        page.fill("#code", f"{(int(code) + 1) % 1_000_000:06d}")
        page.click("#login")
        page.get_by_text("验证码错误，还可尝试4次").wait_for()
        page.fill("#code", code)
        page.click("#login")
        page.wait_for_selector(f".delivery-card[data-delivery='{party.delivery_id}']")
        assert page.locator(f"#sign-{party.delivery_id}").is_disabled()
        _view(page, party.document_ids[0], 1)
        _view(page, party.document_ids[1], 2)
        page.click(f"#sign-{party.delivery_id}:not([disabled])")
        _draw(page, "#receipt-signature")
        page.click("#submit-sign:not([disabled])")
        confirmation = page.locator("#confirmation-code").inner_text()
        assert re.fullmatch(r"[A-Z2-9]{8}", confirmation)
        assert (
            page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        )  # nothing wider than the phone
        text = _proof_text(party.attempt_id)  # made by the API process's task queue: wait while it runs
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, party.attempt_id)
        facts = recorded_facts(db_session=session, attempt_id=party.attempt_id)
        assert attempt.status is AttemptStatus.succeeded
        first_view = datetime.fromisoformat(facts["viewed_at"]).astimezone(BEIJING).date()
        assert attempt.legal_service_date == first_view  # not the signature's moment
    expected = [
        "电子送达凭证",
        "短信12368",  # the sending number
        party.mobile,  # the party's number
        "发送时间",
        "到达受送达人系统时间",  # the fake gateway's delivered report
        "应诉通知书、起诉状副本",
        "首次查阅时间",
        "《起诉状副本》第1、2页/共2页",
        "IP127.0.0.1",
        "HeadlessChrome",
        "签收时间",
        "在当事人门户手写签署送达回证",
        confirmation,
        "王芳签署送达回证",  # the signature image
        "当事人同意电子送达",
    ]
    assert [item for item in expected if item not in text] == [], text


def _code_or_none(address: str) -> str | None:
    try:
        return last_code(address)
    except AssertionError:
        return None


def test_wechat_login_binds_after_an_sms_code_and_logs_straight_in_next_time(
    make_party: Callable[..., PortalParty], database_url: str
) -> None:
    party = make_party(name="赵敏")
    port = free_port()
    with wechat_double() as wechat:
        settings = {
            "SONGDA_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "SONGDA_WECHAT_URL": wechat.base_url,
            "SONGDA_WECHAT_APP_ID": wechat.app_id,
            "SONGDA_WECHAT_APP_SECRET": wechat.secret,
        }
        with (
            api_process(database_url=database_url, bus_url="memory://", port=port, **settings) as base,
            sync_playwright() as playwright,
        ):
            page = _phone_page(playwright)
            page.goto(f"{base}/portal")
            page.click("#wechat")
            page.click("#confirm")  # on WeChat's page: the user confirmed on their phone
            page.wait_for_url("**/portal?wechat=bind")
            page.get_by_text("微信授权成功").wait_for()
            page.fill("#address", party.mobile)
            page.click("#send-code")
            code = poll_until(lambda: _code_or_none(party.mobile), timeout=10, what="the login SMS")
            page.fill("#code", code)
            page.click("#login")
            page.wait_for_selector(f".delivery-card[data-delivery='{party.delivery_id}']")
            page.click("#logout")
            page.wait_for_selector("#login-form")
            page.click("#wechat")
            page.click("#confirm")
            page.wait_for_selector(f".delivery-card[data-delivery='{party.delivery_id}']")
            page.click("#logout")
            page.wait_for_selector("#login-form")
            page.click("#wechat")
            page.click("#refuse")  # the user refused on their phone: no code, no login
            page.get_by_text("您取消了微信授权").wait_for()
        with database.get_session() as session:
            binding = session.scalars(select(WechatBinding)).one()
            assert (binding.openid, binding.mobile) == (wechat.user.openid, party.mobile)
        assert [exchange["grant_type"] for exchange in wechat.exchanges] == ["authorization_code"] * 2
