"""A letter signed without a named signer waits for its receipt card: the scan uploaded on the letter
serves it on the signing date; scans must be PDF/PNG/JPEG; the month's EMS cost per letter."""

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import court_today
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import DeliveryAttempt
from backend.postal.models import PostalItem
from tests.conftest import TEST_PASSWORD
from tests.postal.conftest import confirmed_batch
from tests.postal.vendor_servers import EmsServer, ems_event

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_receipt_card_serves_a_letter_signed_by_an_unnamed_hand(
    ems: EmsServer,
    letters: Callable[..., list[int]],
    clerk: User,
    client: TestClient,
    login: Callable[..., dict[str, str]],
) -> None:
    letters(1)
    with database.get_session() as session:
        [item_id] = confirmed_batch(session, clerk)
        waybill = session.get(PostalItem, item_id).waybill_no or ""
    events = [
        ems_event(waybill, "2026-03-02 16:10:00", "203", "收寄", "已收寄"),
        ems_event(waybill, "2026-03-04 09:15:00", "704", "妥投", "已妥投"),
    ]
    assert client.post("/api/postal/push", data=ems.push_form(events)).status_code == 200
    login_answer = client.post(
        "/api/auth/login", json={"username": clerk.username, "password": TEST_PASSWORD}
    )
    headers = {"Authorization": f"Bearer {login_answer.json()['token']}"}
    letter = client.get(f"/api/postal/letters/{item_id}", headers=headers).json()
    assert letter["status"] == "awaiting_receipt"

    bad = client.post(
        f"/api/postal/letters/{item_id}/receipts",
        files={"file": ("a.txt", b"hello", "text/plain")},
        headers=headers,
    )
    assert bad.status_code == 422 and "PDF、PNG 或 JPEG" in bad.json()["detail"]
    good = client.post(
        f"/api/postal/letters/{item_id}/receipts",
        files={"file": ("card.png", PNG, "image/png")},
        headers=headers,
    )
    assert good.status_code == 201, good.text
    with database.get_session() as session:
        attempt = session.get(DeliveryAttempt, session.get(PostalItem, item_id).attempt_id)
        assert attempt.status is AttemptStatus.succeeded and attempt.legal_service_date == date(2026, 3, 4)
        facts = recorded_facts(db_session=session, attempt_id=attempt.id)
    assert facts["receipt"] == f"签收回执扫描件（证据 #{good.json()['evidence_id']}）"

    cost = client.get(
        "/api/postal/costs", params={"month": court_today().strftime("%Y-%m")}, headers=login(Role.supervisor)
    )
    assert cost.json() == {
        "month": court_today().strftime("%Y-%m"),
        "letters": 1,
        "total_fen": 1850,
        "average_fen": 1850,
        "served": 1,
        "failed": 0,
        "success_rate": 1.0,
    }
    assert client.get("/api/postal/costs?month=2026-13", headers=headers).status_code == 422
