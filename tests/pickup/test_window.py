"""The window clerk's day over the API: today's appointments, check-in by ID (a wrong ID refused and
audited), hand-over, both signatures on the screen, serving through the pickup channel, and a proof whose
PDF states every fact; the signed address confirmation holds for the party's later deliveries."""

import hashlib
import subprocess
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import AddressConfirmation, Delivery, DeliveryAttempt
from backend.deliveries.planning import consents_to_electronic
from backend.evidence import storage
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import in_chain
from backend.evidence.models import Evidence
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint
from tests.api.conftest import World
from tests.pickup.conftest import DEFENDANT_ID, Window, png_data_url, strokes
from tests.polling import poll_until

AUTHORISATION_PDF = b"%PDF-1.4\n% scan of the power of attorney\n%%EOF\n"
UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _pdf_text(evidence_id: int) -> str:
    with database.get_session() as session:
        path = storage.absolute_path(session.get_one(Evidence, evidence_id).file_path)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_images(evidence_id: int) -> list[tuple[int, int]]:
    """The (width, height) of each picture drawn on a PDF page (pdfimages -list; soft masks left out)."""
    with database.get_session() as session:
        path = storage.absolute_path(session.get_one(Evidence, evidence_id).file_path)
    listing = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True)
    rows = [line.split() for line in listing.stdout.splitlines()[2:]]
    return [(int(row[3]), int(row[4])) for row in rows if row[2] == "image"]


def test_a_booked_party_is_checked_in_by_id_signs_both_documents_and_is_served_with_a_full_proof(
    client: TestClient, world: World, window_today: Window, as_user: UserFactory
) -> None:
    clerk, headers = as_user(Role.clerk, court_id=world.court_id, full_name="陈晓")
    day = client.get("/api/window/bookings", headers=headers)
    assert day.status_code == 200, day.text
    [booking] = day.json()
    assert (
        booking["party_name"] == "刘洋"
        and booking["status"] == "booked"
        and booking["code"] == window_today.code
    )
    assert booking["party_id_masked"] == "110***********002X"
    assert [d["name"] for d in booking["documents"]] == ["传票"]

    wrong = client.post(
        "/api/window/check-in",
        json={"id_number": "110105199002020011", "booking_id": booking["id"]},
        headers=headers,
    )
    assert wrong.status_code == 409 and "证件号码与受送达人刘洋登记的证件不符" in wrong.json()["detail"]
    with database.get_session() as session:
        refused = session.scalars(select(AuditLog).where(AuditLog.action == "pickup_identity_refused")).one()
        assert refused.actor_user_id == clerk.id and refused.detail["id_shown"] == "110***********0011"

    checked = client.post("/api/window/check-in", json={"id_number": DEFENDANT_ID.lower()}, headers=headers)
    assert checked.status_code == 200, checked.text
    attempt = checked.json()
    assert attempt["attempt_id"] == window_today.attempt_id and attempt["status"] == "in_progress"
    assert (
        "签署的送达地址确认书" in attempt["missing_to_serve"]
        and "受送达人签名" in attempt["missing_to_serve"]
    )
    base = f"/api/window/attempts/{attempt['attempt_id']}"

    early = client.post(f"{base}/serve", json={"outcome": "served"}, headers=headers)
    assert early.status_code == 409 and "交付文书清单" in early.json()["detail"]

    assert (
        client.post(
            f"{base}/hand-over", json={"document_ids": [world.summons_id]}, headers=headers
        ).status_code
        == 200
    )
    signed = client.post(
        f"{base}/signatures/receipt",
        json={"strokes": strokes(), "png_data_url": png_data_url()},
        headers=headers,
    )
    assert signed.status_code == 200, signed.text
    confirmation = {
        "strokes": strokes(2),
        "png_data_url": png_data_url(2),
        "postal_address": "北京市西城区金融大街 7 号",
        "mobile": "139 1000 2000",
        "consents_to_electronic": True,
    }
    confirmed = client.post(f"{base}/signatures/address-confirmation", json=confirmation, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["missing_to_serve"] == []

    served = client.post(f"{base}/serve", json={"outcome": "served"}, headers=headers)
    assert served.status_code == 200, served.text
    assert served.json()["status"] == "succeeded"
    assert client.get("/api/window/bookings", headers=headers).json()[0]["status"] == "served"

    proof_id = poll_until(
        lambda: client.get(base, headers=headers).json()["proof_evidence_id"],
        timeout=20,
        what="the pickup proof",
    )
    text = _pdf_text(proof_id)
    flat = "".join(text.split())
    expected = [
        "来院领取",
        "务中心2号窗口",
        window_today.code,
        "人证一致",
        "陈晓",
        world.summons_sha256[:16],
    ]
    expected += ["签署送达回证", "送达地址确认书", "金融大街", "同意电子送达：是"]
    assert [item for item in expected if item not in flat] == [], text
    assert pdf_images(proof_id) == [(300, 120), (300, 120)]  # both signatures, as drawn
    record_id = next(f["evidence_id"] for f in served.json()["facts"] if f["key"] == "address_confirmation")
    printed = client.post(
        "/api/proofs/address-confirmations", json={"evidence_id": record_id}, headers=headers
    )
    assert printed.status_code == 200, printed.text
    again = client.post("/api/proofs/address-confirmations", json={"evidence_id": record_id}, headers=headers)
    assert again.json() == printed.json()
    form = "".join(_pdf_text(printed.json()["evidence_id"]).split())
    assert [
        i for i in ["送达地址确认书", "刘洋", "金融大街7号", "13910002000", "同意电子送达是"] if i not in form
    ] == [], form
    with database.get_session() as session:
        assert in_chain(db_session=session, evidence=session.get_one(Evidence, printed.json()["evidence_id"]))
        signatures = session.scalars(select(Evidence).where(Evidence.kind == EvidenceKind.signature)).all()
        assert {item.content_type for item in signatures} == {"image/png", "application/json"} and len(
            signatures
        ) == 4
        assert all(in_chain(db_session=session, evidence=item) for item in signatures)
        assert consents_to_electronic(db_session=session, party_id=world.defendant_id)
        record = session.scalars(select(AddressConfirmation)).one()
        assert record.obtained_via is DeliveryMethod.pickup and record.mobile == "139 1000 2000"
        points = session.scalars(
            select(ContactPoint).where(ContactPoint.party_id == world.defendant_id)
        ).all()
        verified = {(point.kind, point.value) for point in points if point.state is ContactState.verified}
        assert {
            (ContactKind.phone, "13910002000"),
            (ContactKind.address, "北京市西城区金融大街 7 号"),
        } <= verified


def test_the_window_is_for_clerks_of_the_court_and_staff(
    client: TestClient, world: World, window_today: Window, as_user: UserFactory
) -> None:
    _, agent = as_user(Role.agent)
    assert client.get("/api/window/bookings", headers=agent).status_code == 403
    _, elsewhere = as_user(Role.clerk, court_id=world.other_court_id)
    assert client.get("/api/window/bookings", headers=elsewhere).json() == []
    refused = client.post(
        "/api/window/check-in", json={"id_number": DEFENDANT_ID, "code": window_today.code}, headers=elsewhere
    )
    assert refused.status_code == 404
    assert client.get(f"/api/window/attempts/{window_today.attempt_id}", headers=elsewhere).status_code == 404
    _, supervisor = as_user(Role.supervisor)
    by_code = client.post(
        "/api/window/check-in",
        json={"id_number": DEFENDANT_ID, "code": window_today.code},
        headers=supervisor,
    )
    assert by_code.status_code == 200 and by_code.json()["status"] == "in_progress"
    again = client.post(
        "/api/window/check-in",
        json={"id_number": DEFENDANT_ID, "code": window_today.code},
        headers=supervisor,
    )
    assert again.status_code == 409


def test_a_walk_in_who_refuses_to_sign_is_served_by_leaving_with_a_witness(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, staff = as_user(Role.supervisor)
    window = client.post(
        "/api/wall/pickup-windows",
        json={"name": "诉讼服务中心 5 号窗口", "court_id": world.court_id},
        headers=staff,
    )
    _, headers = as_user(Role.clerk, court_id=world.court_id)
    found = client.get("/api/window/walk-ins", params={"q": "101号"}, headers=headers)
    assert found.status_code == 200
    assert [c["delivery_id"] for c in found.json()] == [world.delivery_id]
    assert (
        client.get("/api/window/walk-ins", params={"q": DEFENDANT_ID}, headers=headers).json()[0][
            "party_name"
        ]
        == "刘洋"
    )
    body = {
        "delivery_id": world.delivery_id,
        "window_id": window.json()["id"],
        "id_number": "110105199002020011",
    }
    assert client.post("/api/window/walk-ins", json=body, headers=headers).status_code == 409
    walked = client.post("/api/window/walk-ins", json=body | {"id_number": DEFENDANT_ID}, headers=headers)
    assert walked.status_code == 200, walked.text
    base = f"/api/window/attempts/{walked.json()['attempt_id']}"
    assert (
        client.post(
            f"{base}/hand-over", json={"document_ids": [world.summons_id]}, headers=headers
        ).status_code
        == 200
    )
    refused = client.post(
        f"{base}/refusal",
        json={"note": "当事人拒绝签名，文书已当面留置", "witness": "法警 王强（警号 0231）"},
        headers=headers,
    )
    assert refused.status_code == 200 and refused.json()["missing_for_refusal"] == []
    served = client.post(f"{base}/serve", json={"outcome": "left_with_refusal"}, headers=headers)
    assert served.status_code == 200, served.text
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, walked.json()["attempt_id"])
        assert attempt.outcome is not None and attempt.outcome.value == "left_with_refusal"
        assert attempt.delivery.status.value == "served"


def test_a_signature_that_is_not_a_drawn_png_is_refused(
    client: TestClient, world: World, window_today: Window, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.clerk, court_id=world.court_id)
    client.post("/api/window/check-in", json={"id_number": DEFENDANT_ID}, headers=headers)
    base = f"/api/window/attempts/{window_today.attempt_id}/signatures/receipt"
    not_png = client.post(
        base, json={"strokes": strokes(), "png_data_url": "data:image/png;base64,aGVsbG8="}, headers=headers
    )
    assert not_png.status_code == 422 and "签名图片" in not_png.json()["detail"]
    dot = client.post(
        base,
        json={"strokes": [{"points": [{"x": 1, "y": 1}]}], "png_data_url": png_data_url()},
        headers=headers,
    )
    assert dot.status_code == 422 and "签名过短" in dot.json()["detail"]


def test_a_companys_documents_are_collected_by_an_agent_with_the_authorisation(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, staff = as_user(Role.supervisor)
    window = client.post(
        "/api/wall/pickup-windows", json={"name": "5 号窗口", "court_id": world.court_id}, headers=staff
    )
    body = {
        "delivery_id": world.overdue_delivery_id,
        "window_id": window.json()["id"],
        "id_number": "91110000",
    }
    alone = client.post("/api/window/walk-ins", json=body, headers=staff)
    assert alone.status_code == 422 and "须由代理人凭授权委托书领取" in alone.json()["detail"]
    proxy = {
        "name": "王律师",
        "id_number": "110101198505050011",
        "authorisation": "授权委托书（特别授权）2026-031",
    }
    walked = client.post("/api/window/walk-ins", json=body | {"proxy": proxy}, headers=staff)
    assert walked.status_code == 200, walked.text
    identity = next(f["value"] for f in walked.json()["facts"] if f["key"] == "identity_check")
    assert "代理人王律师" in identity and "110***********0011" in identity and "2026-031" in identity
    assert "授权委托书扫描件" in walked.json()["missing_to_serve"]
    base = f"/api/window/attempts/{walked.json()['attempt_id']}"
    not_a_scan = client.post(
        f"{base}/authorisation", files={"file": ("委托书.txt", b"hello", "text/plain")}, headers=staff
    )
    assert not_a_scan.status_code == 422 and "PDF、PNG 或 JPEG" in not_a_scan.json()["detail"]
    scan = AUTHORISATION_PDF
    uploaded = client.post(
        f"{base}/authorisation", files={"file": ("委托书.pdf", scan, "application/pdf")}, headers=staff
    )
    assert uploaded.status_code == 200, uploaded.text
    assert "授权委托书扫描件" not in uploaded.json()["missing_to_serve"]
    client.post(f"{base}/hand-over", json={"document_ids": [_document_of(world)]}, headers=staff)
    receipt = {"strokes": strokes(), "png_data_url": png_data_url()}
    client.post(f"{base}/signatures/receipt", json=receipt, headers=staff)
    confirmation = {
        "strokes": strokes(2),
        "png_data_url": png_data_url(2),
        "postal_address": "北京市朝阳区建国路 88 号华信大厦 12 层",
        "mobile": "13911112222",
        "consents_to_electronic": True,
    }
    signed = client.post(f"{base}/signatures/address-confirmation", json=confirmation, headers=staff)
    assert signed.status_code == 200 and signed.json()["missing_to_serve"] == [], signed.text
    assert client.post(f"{base}/serve", json={"outcome": "served"}, headers=staff).status_code == 200
    proof_id = poll_until(
        lambda: client.get(base, headers=staff).json()["proof_evidence_id"], timeout=20, what="the proof"
    )
    flat = "".join(_pdf_text(proof_id).split())
    with database.get_session() as session:
        kept = session.scalars(select(Evidence).where(Evidence.kind == EvidenceKind.authorisation)).one()
        assert kept.sha256 == hashlib.sha256(scan).hexdigest() and in_chain(db_session=session, evidence=kept)
    assert "授权委托书（扫描件）" in flat and kept.sha256 in flat and "代理人王律师" in flat

    # A later delivery to the same party starts with the address it confirmed: e-delivery at its mobile.
    later = client.post(
        "/api/deliveries",
        json={
            "case_id": world.commercial_case_id,
            "party_id": _party_of(world),
            "document_ids": [_document_of(world)],
        },
        headers=staff,
    )
    assert later.status_code == 201, later.text
    (first,) = later.json()["attempts"]
    assert (first["method"], first["status"]) == ("electronic", "planned")
    with database.get_session() as session:
        point = session.get_one(ContactPoint, first["contact_point_id"])
        assert (point.kind, point.value) == (ContactKind.phone, "13911112222")
        assert point.state is ContactState.verified


def _document_of(world: World) -> int:
    with database.get_session() as session:
        return session.get_one(Delivery, world.overdue_delivery_id).documents[0].id


def _party_of(world: World) -> int:
    with database.get_session() as session:
        return session.get_one(Delivery, world.overdue_delivery_id).party_id


def test_the_window_opens_only_pickup_attempts(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    with database.get_session() as session:
        call = DeliveryAttempt(delivery_id=world.delivery_id, method=DeliveryMethod.phone)
        session.add(call)
        session.flush()
        call_id = call.id
    _, supervisor = as_user(Role.supervisor)
    answer = client.get(f"/api/window/attempts/{call_id}", headers=supervisor)
    assert answer.status_code == 404 and "来院领取" in answer.json()["detail"]
