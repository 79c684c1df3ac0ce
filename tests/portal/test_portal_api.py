"""The portal's API: login by SMS or e-mail code (expiry, single use, rate limits, lockout, all in
Chinese), a session that reaches only its party's documents and nothing of the staff API, views and
pages logged as facts, signing that serves the attempt, paper on request and the online 送达地址确认书."""

import base64
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import select, update

from backend import database
from backend.auth.roles import Role
from backend.database import utcnow
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import AddressConfirmation, DeliveryAttempt
from backend.electronic.models import ElectronicNotice
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint
from backend.portal.models import PaperRequest, PortalCode, PortalSession
from tests.messaging.servers import use_settings
from tests.portal.helpers import codes_sent, last_code
from tests.portal.world import PortalParty

MakeParty = Callable[..., PortalParty]


def portal_login(client: TestClient, party: PortalParty) -> None:
    sent = client.post("/api/portal/codes", json={"link_token": party.link_token, "choice": 0})
    assert sent.status_code == 202, sent.text
    answer = client.post(
        "/api/portal/login",
        json={"link_token": party.link_token, "choice": 0, "code": last_code(party.mobile)},
    )
    assert answer.status_code == 200, answer.text


def signature() -> dict[str, object]:
    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 60), (120, 30), (200, 90), (280, 40)], fill="black", width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    points = [
        {"x": 20 + 10 * i, "y": 60 + (-1) ** i * 20, "time": 1000 + i * 16, "pressure": 0.5}
        for i in range(20)
    ]
    return {
        "strokes": [
            {
                "penColor": "#111",
                "dotSize": 0,
                "minWidth": 1,
                "maxWidth": 3,
                "velocityFilterWeight": 0.7,
                "compositeOperation": "source-over",
                "points": points,
            }
        ],
        "png_data_url": "data:image/png;base64," + base64.b64encode(out.getvalue()).decode(),
    }


def test_the_link_shows_only_the_court_and_masked_addresses(
    client: TestClient, make_party: MakeParty
) -> None:
    party = make_party()
    answer = client.get(f"/api/portal/links/{party.link_token}").json()
    assert answer["court"] == "北京市西城区人民法院"
    labels = [option["label"] for option in answer["options"]]
    assert labels[0] == f"{party.mobile[:3]}****{party.mobile[-4:]}" and party.mobile not in str(answer)
    assert client.get("/api/portal/links/not-a-real-token").status_code == 404


def test_a_link_expires(client: TestClient, make_party: MakeParty) -> None:
    party = make_party()
    with database.get_session() as session:  # the notice went out 30 days and a minute ago
        session.execute(
            update(ElectronicNotice)
            .where(ElectronicNotice.link_token == party.link_token)
            .values(created_at=utcnow() - timedelta(days=30, minutes=1))
        )
    assert client.get(f"/api/portal/links/{party.link_token}").status_code == 404
    sent = client.post("/api/portal/codes", json={"link_token": party.link_token, "choice": 0})
    assert sent.status_code == 404 and codes_sent(party.mobile) == 0


def test_a_code_logs_in_once_and_the_party_sees_their_delivery(
    client: TestClient, make_party: MakeParty
) -> None:
    party = make_party()
    client.post("/api/portal/codes", json={"kind": "phone", "address": party.mobile})
    code = last_code(party.mobile)
    with database.get_session() as session:
        stored = session.scalars(select(PortalCode).where(PortalCode.address == party.mobile)).one()
        assert code not in stored.code_hash and len(stored.code_hash) == 64  # kept as an HMAC only
    answer = client.post("/api/portal/login", json={"kind": "phone", "address": party.mobile, "code": code})
    assert answer.status_code == 200
    [delivery] = answer.json()["deliveries"]
    assert delivery["id"] == party.delivery_id and len(delivery["documents"]) == 2
    again = TestClient(client.app)
    reused = again.post("/api/portal/login", json={"kind": "phone", "address": party.mobile, "code": code})
    assert reused.status_code == 400 and reused.json()["detail"] == "验证码错误或已失效，请重新获取"
    assert client.get("/api/portal/me").json()["login"] == f"{party.mobile[:3]}****{party.mobile[-4:]}"


def test_an_email_code_logs_in_too(client: TestClient, make_party: MakeParty) -> None:
    party = make_party()
    assert (
        client.post("/api/portal/codes", json={"kind": "email", "address": party.email.upper()}).status_code
        == 202
    )
    answer = client.post(
        "/api/portal/login", json={"kind": "email", "address": party.email, "code": last_code(party.email)}
    )
    assert answer.status_code == 200 and answer.json()["deliveries"][0]["id"] == party.delivery_id


def test_an_unknown_number_gets_the_same_answer_and_no_message(
    client: TestClient, make_party: MakeParty
) -> None:
    party = make_party()
    known = client.post("/api/portal/codes", json={"kind": "phone", "address": party.mobile})
    unknown = client.post("/api/portal/codes", json={"kind": "phone", "address": "13700000000"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert codes_sent("13700000000") == 0 and codes_sent(party.mobile) == 1


def test_a_code_expires(client: TestClient, make_party: MakeParty) -> None:
    party = make_party()
    client.post("/api/portal/codes", json={"kind": "phone", "address": party.mobile})
    code = last_code(party.mobile)
    with database.get_session() as session:  # five minutes and a second later
        session.execute(
            update(PortalCode)
            .where(PortalCode.address == party.mobile)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    answer = client.post("/api/portal/login", json={"kind": "phone", "address": party.mobile, "code": code})
    assert answer.status_code == 400 and answer.json()["detail"] == "验证码已过期，请重新获取"


def test_codes_are_rate_limited_per_number_and_per_client(
    client: TestClient, make_party: MakeParty, monkeypatch: pytest.MonkeyPatch
) -> None:
    party = make_party()
    first = client.post("/api/portal/codes", json={"kind": "phone", "address": party.mobile})
    resend = client.post("/api/portal/codes", json={"kind": "phone", "address": party.mobile})
    assert first.status_code == 202 and resend.status_code == 429
    assert resend.json()["detail"].startswith("验证码已发送，请") and int(resend.headers["Retry-After"]) <= 60
    use_settings(
        monkeypatch, {"SONGDA_PORTAL_CODE_RESEND_SECONDS": "0", "SONGDA_PORTAL_CODES_PER_IP_HOUR": "8"}
    )
    statuses = [
        client.post("/api/portal/codes", json={"kind": "phone", "address": party.mobile}).status_code
        for _ in range(5)
    ]
    assert statuses == [202, 202, 202, 202, 429]  # five an hour per number
    assert codes_sent(party.mobile) == 5
    others = [
        client.post("/api/portal/codes", json={"kind": "phone", "address": f"1360000000{i}"})
        for i in range(4)
    ]
    assert [other.status_code for other in others] == [202, 202, 202, 429]  # eight an hour from one client
    assert others[-1].json()["detail"] == "您所在网络获取验证码过于频繁，请稍后再试"


def test_five_wrong_codes_lock_the_number(client: TestClient, make_party: MakeParty) -> None:
    party = make_party()
    client.post("/api/portal/codes", json={"kind": "phone", "address": party.mobile})
    code = last_code(party.mobile)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = [
        client.post("/api/portal/login", json={"kind": "phone", "address": party.mobile, "code": wrong})
        for _ in range(5)
    ]
    assert [answer.status_code for answer in answers] == [400, 400, 400, 400, 429]
    assert [answer.json()["detail"] for answer in answers[:2]] == [
        "验证码错误，还可尝试4次",
        "验证码错误，还可尝试3次",
    ]
    assert answers[-1].json()["detail"].startswith("验证码错误次数过多，已锁定")
    right = client.post("/api/portal/login", json={"kind": "phone", "address": party.mobile, "code": code})
    assert right.status_code == 429 and "锁定" in right.json()["detail"]
    assert (
        client.post("/api/portal/codes", json={"kind": "phone", "address": party.mobile}).status_code == 429
    )


def test_a_party_cannot_open_another_partys_documents(client: TestClient, make_party: MakeParty) -> None:
    mine, theirs = make_party(), make_party(name="李娜")
    portal_login(client, mine)
    own = client.get(f"/api/portal/deliveries/{mine.delivery_id}/documents/{mine.document_ids[0]}/file")
    assert own.status_code == 200 and own.content.startswith(b"%PDF")
    for path in (
        f"/api/portal/deliveries/{theirs.delivery_id}/documents/{theirs.document_ids[0]}/file",
        f"/api/portal/deliveries/{mine.delivery_id}/documents/{theirs.document_ids[0]}/file",
    ):
        assert client.get(path).status_code == 404
    assert (
        client.post(f"/api/portal/deliveries/{theirs.delivery_id}/sign", json=signature()).status_code == 404
    )
    assert [d["id"] for d in client.get("/api/portal/me").json()["deliveries"]] == [mine.delivery_id]


def test_the_portal_session_opens_nothing_of_the_staff_api_nor_a_staff_token_the_portal(
    client: TestClient, make_party: MakeParty, login: Callable[..., dict[str, str]]
) -> None:
    party = make_party()
    staff = login(Role.admin)
    portal_login(client, party)
    cookie = client.cookies.get("songda_portal")
    assert cookie
    for path in ("/api/cases", f"/api/documents/{party.document_ids[0]}/file", "/api/auth/me"):
        assert client.get(path, headers={"Authorization": f"Bearer {cookie}"}).status_code == 401
        assert client.get(path).status_code == 401  # the cookie itself is not a staff credential
    outsider = TestClient(client.app)
    assert outsider.get("/api/portal/me", headers=staff).status_code == 401
    assert outsider.get("/api/portal/me").json()["detail"] == "请先登录"


def _attempt(attempt_id: int) -> DeliveryAttempt:
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, attempt_id)
        session.expunge(attempt)
        return attempt


def test_viewing_every_document_then_signing_serves_on_the_first_view(
    client: TestClient, make_party: MakeParty
) -> None:
    party = make_party()
    portal_login(client, party)
    base = f"/api/portal/deliveries/{party.delivery_id}"
    early = client.post(f"{base}/sign", json=signature())
    assert early.status_code == 409 and early.json()["detail"] == "请先查阅全部文书后再签收"
    for document_id, pages in zip(party.document_ids, (1, 2), strict=True):
        assert client.get(f"{base}/documents/{document_id}/file").status_code == 200
        for page in range(1, pages + 1):
            shown = client.post(
                f"{base}/documents/{document_id}/pages", json={"pages": [page], "page_count": pages}
            )
            assert shown.status_code == 200
    with database.get_session() as session:
        facts = recorded_facts(db_session=session, attempt_id=party.attempt_id)
    assert "viewed_at" in facts and "signed_at" not in facts
    signed = client.post(f"{base}/sign", json=signature())
    assert signed.status_code == 200, signed.text
    attempt = _attempt(party.attempt_id)
    assert attempt.status is AttemptStatus.succeeded
    with database.get_session() as session:
        facts = recorded_facts(db_session=session, attempt_id=party.attempt_id)
    assert signed.json()["confirmation_code"] in facts["signature"]
    assert "起诉状副本》第1、2页/共2页" in facts["view_log"] and "testclient" in facts["view_log"]
    assert attempt.legal_service_date is not None
    [delivery] = client.get("/api/portal/me").json()["deliveries"]
    assert delivery["signed"] and not delivery["can_sign"] and delivery["status_label"] == "已送达"


def test_paper_on_request_plans_a_postal_attempt_while_the_delivery_is_open(
    client: TestClient, make_party: MakeParty
) -> None:
    party = make_party()
    portal_login(client, party)
    base = f"/api/portal/deliveries/{party.delivery_id}"
    missing = client.post(f"{base}/paper", json={"way": "postal"})
    assert missing.status_code == 422 and missing.json()["detail"] == "邮寄纸质文书须填写收件地址"
    asked = client.post(f"{base}/paper", json={"way": "postal", "postal_address": "北京市西城区金融大街7号"})
    assert asked.status_code == 200
    with database.get_session() as session:
        request = session.scalars(select(PaperRequest)).one()
        planned = session.get_one(DeliveryAttempt, request.planned_attempt_id)
        assert planned.method is DeliveryMethod.postal and planned.status is AttemptStatus.planned
        assert (
            "北京市西城区金融大街7号"
            in recorded_facts(db_session=session, attempt_id=party.attempt_id)["paper_requested"]
        )


def test_the_online_address_confirmation_confirms_addresses_for_later_deliveries(
    client: TestClient, make_party: MakeParty
) -> None:
    party = make_party()
    portal_login(client, party)
    body = {
        **signature(),
        "postal_address": "北京市西城区金融大街7号",
        "mobile": party.mobile,
        "email": "new@example.com",
        "consents_to_electronic": True,
    }
    answer = client.post(f"/api/portal/deliveries/{party.delivery_id}/address-confirmation", json=body)
    assert answer.status_code == 200, answer.text
    assert "同意电子送达：是" in answer.json()["text"]
    with database.get_session() as session:
        confirmation = session.scalars(select(AddressConfirmation)).one()
        assert confirmation.obtained_via is DeliveryMethod.electronic and confirmation.consents_to_electronic
        assert confirmation.recorded_by_user_id is None and confirmation.evidence_id is not None
        points = session.scalars(select(ContactPoint).where(ContactPoint.party_id == party.party_id)).all()
        states = {(point.kind, point.value): point.state for point in points}
        assert states[(ContactKind.email, "new@example.com")] is ContactState.verified
        assert states[(ContactKind.phone, party.mobile)] is ContactState.verified


def test_logging_out_ends_the_session(client: TestClient, make_party: MakeParty) -> None:
    party = make_party()
    portal_login(client, party)
    assert client.post("/api/portal/logout").status_code == 200
    assert client.get("/api/portal/me").status_code == 401
    with database.get_session() as session:
        assert session.scalars(select(PortalSession)).one().ended_at is not None
