"""WeChat's protocol as the adapter speaks it (against the local double: one-time codes, errcode answers),
and the rule for a party who views but never signs: served on the first view once the wait is over."""

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.database import utcnow
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import DeliveryAttempt
from backend.portal import flows
from backend.portal.gateway.base import WechatRefused
from backend.portal.gateway.wechat import OpenPlatformWechat
from backend.portal.models import PaperRequest
from tests.portal.test_portal_api import portal_login
from tests.portal.wechat_double import wechat_double
from tests.portal.world import PortalParty


def test_the_wechat_adapter_follows_the_documented_exchange() -> None:
    with wechat_double() as wechat:
        adapter = OpenPlatformWechat(base_url=wechat.base_url, app_id=wechat.app_id, secret=wechat.secret)
        url = adapter.authorize_url(
            redirect_uri="https://court.example/api/portal/wechat/callback", state="s1"
        )
        parts = urlsplit(url)
        assert parts.path == "/connect/qrconnect" and parts.fragment == "wechat_redirect"
        assert parse_qs(parts.query) == {
            "appid": [wechat.app_id],
            "redirect_uri": ["https://court.example/api/portal/wechat/callback"],
            "response_type": ["code"],
            "scope": ["snsapi_login"],
            "state": ["s1"],
        }
        code = wechat.issue_code()
        profile = adapter.profile(code=code)
        assert (profile.openid, profile.unionid, profile.nickname) == (
            wechat.user.openid,
            wechat.user.unionid,
            "微信用户",
        )
        with pytest.raises(WechatRefused, match="40029"):  # a code is good once
            adapter.profile(code=code)
        wrong = OpenPlatformWechat(base_url=wechat.base_url, app_id=wechat.app_id, secret="not-the-secret")
        with pytest.raises(WechatRefused, match="40125"):
            wrong.profile(code=wechat.issue_code())
    assert (
        OpenPlatformWechat(base_url="https://api.weixin.qq.com", app_id="a", secret="b")
        .authorize_url(redirect_uri="https://x", state="y")
        .startswith("https://open.weixin.qq.com/connect/qrconnect?")
    )


def _view_everything(client: TestClient, party: PortalParty) -> None:
    base = f"/api/portal/deliveries/{party.delivery_id}"
    for document_id in party.document_ids:
        assert client.get(f"{base}/documents/{document_id}/file").status_code == 200
        assert client.post(
            f"{base}/documents/{document_id}/pages", json={"pages": [1], "page_count": 2}
        ).is_success


def test_a_party_who_views_but_never_signs_is_served_on_the_first_view_after_the_wait(
    client: TestClient, make_party: Callable[..., PortalParty]
) -> None:
    party = make_party()
    portal_login(client, party)
    _view_everything(client, party)
    with database.get_session() as session:
        assert flows.serve_viewed_attempts(db_session=session, now=utcnow()) == []  # still time to sign
        later = utcnow() + timedelta(minutes=61)
        assert flows.serve_viewed_attempts(db_session=session, now=later) == [party.attempt_id]
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, party.attempt_id)
        facts = recorded_facts(db_session=session, attempt_id=party.attempt_id)
        assert attempt.status is AttemptStatus.succeeded and "signed_at" not in facts
        assert "查阅《应诉通知书》第1页/共2页" in facts["view_log"]
    answer = client.post(f"/api/portal/deliveries/{party.delivery_id}/paper", json={"way": "pickup"})
    assert answer.status_code == 200  # paper after service: recorded for staff, no new attempt possible
    with database.get_session() as session:
        request = session.scalars(select(PaperRequest)).one()
        assert request.way == "pickup" and request.planned_attempt_id is None
