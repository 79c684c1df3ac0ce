"""Tracking to a legal outcome against the local vendor servers: signed -> served on the signing date;
refused and returned to a confirmed address -> served on the return date once the returned envelope's scan
is matched by its barcode; returned from an unconfirmed address -> failed, the next method planned within
24 h. Pushes twice or out of order give the same result; polling works; silent letters are listed."""

import random
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core import schedule
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.facts import fact_rows, recorded_facts
from backend.deliveries.models import AddressConfirmation, DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.evidence.service import store_evidence
from backend.evidence.storage import absolute_path
from backend.postal import printing, service, tracking
from backend.postal.enums import ITEM_STATUS_LABELS, ItemStatus, TraceState
from backend.postal.models import PostalItem, TrackingEvent
from backend.postal.tasks import POLL_TASK, poll_tracking_task
from backend.proofs.models import ProofOfService
from tests.conftest import TEST_PASSWORD
from tests.polling import poll_until
from tests.postal.conftest import confirmed_batch
from tests.postal.vendor_servers import EmsServer, Kuaidi100Server, ems_event


def _headers(client: TestClient, user: User) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _batch(clerk: User) -> list[PostalItem]:
    with database.get_session() as session:
        ids = confirmed_batch(session, clerk)
        items = [session.get(PostalItem, item_id) for item_id in ids]
        session.expunge_all()
    return [item for item in items if item is not None]


def _item(item_id: int) -> tuple[PostalItem, DeliveryAttempt, dict[str, str]]:
    with database.get_session() as session:
        item = session.get(PostalItem, item_id)
        attempt = session.get(DeliveryAttempt, item.attempt_id)
        assert attempt is not None
        attempt.delivery.attempts  # noqa: B018  (loaded before the session closes)
        facts = recorded_facts(db_session=session, attempt_id=attempt.id)
        session.expunge_all()
    return item, attempt, facts


def signed(waybill: str) -> list[dict[str, str]]:
    return [
        ems_event(waybill, "2026-03-02 16:10:00", "203", "收寄", "已收寄"),
        ems_event(waybill, "2026-03-03 06:20:00", "954", "到达处理中心", "到达北京邮区中心局"),
        ems_event(waybill, "2026-03-03 08:40:00", "702", "投递", "正在投递，投递员：李投递"),
        ems_event(waybill, "2026-03-03 10:05:00", "704", "妥投", "已妥投，签收人：张一，本人签收"),
    ]


def refused_and_returned(waybill: str) -> list[dict[str, str]]:
    return [
        ems_event(waybill, "2026-03-02 16:10:00", "203", "收寄", "已收寄"),
        ems_event(waybill, "2026-03-03 08:40:00", "702", "投递", "正在投递"),
        ems_event(waybill, "2026-03-03 11:00:00", "705", "未妥投", "收件人拒收"),
        ems_event(
            waybill, "2026-03-06 15:30:00", "704", "妥投", "退回妥投，退回寄件人：北京市西城区人民法院"
        ),
    ]


def returned_unknown(waybill: str) -> list[dict[str, str]]:
    return [
        ems_event(waybill, "2026-03-02 16:10:00", "203", "收寄", "已收寄"),
        ems_event(waybill, "2026-03-03 09:00:00", "705", "未妥投", "地址不详，查无此人"),
        ems_event(waybill, "2026-03-04 09:00:00", "705", "未妥投", "地址不详，查无此人"),
        ems_event(waybill, "2026-03-07 14:00:00", "704", "妥投", "退回妥投，原寄局签收"),
    ]


def test_signed_letter_is_served_on_the_signing_date_whatever_the_push_order(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User, client: TestClient
) -> None:
    letters(2)
    first, second = _batch(clerk)
    in_order = signed(first.waybill_no or "")
    for form in (ems.push_form(in_order[:2]), ems.push_form(in_order[2:]), ems.push_form(in_order)):
        answer = client.post("/api/postal/push", data=form)
        assert answer.status_code == 200 and answer.json()["retCode"] == "00000"
    shuffled = signed(second.waybill_no or "")
    random.Random(7).shuffle(shuffled)
    for event in [*shuffled, *shuffled]:  # one at a time, out of order, each twice
        assert client.post("/api/postal/push", data=ems.push_form([event])).status_code == 200
    forged = ems.push_form(in_order, key="wrong")
    assert client.post("/api/postal/push", data=forged).status_code == 403

    for letter in (first, second):
        item, attempt, facts = _item(letter.id)
        assert item.status is ItemStatus.served
        assert attempt.status is AttemptStatus.succeeded and attempt.outcome is AttemptOutcome.served
        assert attempt.legal_service_date == date(2026, 3, 3)
        assert attempt.delivery.status is DeliveryStatus.served
        assert facts["waybill_number"] == item.waybill_no and facts["address"] == item.address
        assert facts["receipt"].startswith("签收人：张一")
        assert facts["delivered_at"].startswith("2026-03-03T02:05")
    with database.get_session() as session:
        count = session.scalar(select(TrackingEvent.id).where(TrackingEvent.item_id == second.id).limit(1))
        assert count is not None
        assert len(tracking.events_of(db_session=session, item_id=second.id)) == 4


def test_refused_at_a_confirmed_address_is_served_on_the_return_date_by_the_scanned_card(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User, client: TestClient, tmp_path: Path
) -> None:
    letters(1, confirmed=True)
    [letter] = _batch(clerk)
    ems.tracking[letter.waybill_no or ""] = refused_and_returned(letter.waybill_no or "")
    assert POLL_TASK in {job.task_name for job in schedule.jobs()}  # run by beat or the in-process scheduler
    assert poll_tracking_task() == {"stored": 4, "decided": 1}
    assert poll_tracking_task()["stored"] == 0  # nothing to poll: the letter is waiting for its scan
    item, attempt, _ = _item(letter.id)
    assert item.status is ItemStatus.awaiting_receipt and attempt.status is AttemptStatus.in_progress

    with database.get_session() as session:
        sheets = service.sheets_of(
            db_session=session,
            batch=service.visible_batch(
                db_session=session, actor=session.get(User, clerk.id), batch_id=letter.batch_id
            ),
        )
    (tmp_path / "cards.pdf").write_bytes(printing.render_cards(sheets))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-gray", "-png", str(tmp_path / "cards.pdf"), str(tmp_path / "scan")],
        check=True,
    )
    scan = next(tmp_path.glob("scan*.png")).read_bytes()
    headers = _headers(client, clerk)
    files = [
        ("files", ("returned-1.png", scan, "image/png")),
        ("files", ("blank.png", _blank_png(), "image/png")),
    ]
    answer = client.post("/api/postal/receipts", files=files, headers=headers)
    assert answer.status_code == 200, answer.text
    matched, unmatched = answer.json()
    assert matched["waybill_no"] == letter.waybill_no and matched["evidence_id"]
    assert unmatched["problem"] == "未识别到邮件条码"

    item, attempt, facts = _item(letter.id)
    assert item.status is ItemStatus.served and attempt.outcome is AttemptOutcome.refused
    assert attempt.legal_service_date == date(2026, 3, 6)
    assert facts["return_reason"] == "收件人拒收" and facts["address_confirmed"] == "是"
    assert facts["receipt"] == f"退回邮件/回执扫描件（证据 #{matched['evidence_id']}）"
    shown = client.get(f"/api/postal/letters/{letter.id}", headers=headers).json()
    assert [event["state"] for event in shown["events"]] == [
        "in_transit",
        "out_for_delivery",
        "refused",
        "returned",
    ]

    proof_text = _proof_text(attempt.id)  # the proof made when the attempt was served
    for stated in (letter.waybill_no or "", "2026-03-06", "收件人拒收", "退回邮件/回执扫描件", "中关村大街"):
        assert stated in proof_text, stated


def _proof_text(attempt_id: int) -> str:
    def made() -> Evidence | None:
        with database.get_session() as session:
            proof = session.scalar(select(ProofOfService).where(ProofOfService.attempt_id == attempt_id))
            return session.get(Evidence, proof.evidence_id) if proof and proof.evidence_id else None

    pdf = poll_until(made, timeout=30, what="no proof was made for the served letter")
    text = subprocess.run(
        ["pdftotext", str(absolute_path(pdf.file_path)), "-"], capture_output=True, text=True
    )
    return text.stdout.replace("\n", "")


def _blank_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (200, 100), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def test_returned_from_an_unconfirmed_address_fails_and_the_next_method_is_planned(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User, client: TestClient
) -> None:
    letters(1)
    [letter] = _batch(clerk)
    events = returned_unknown(letter.waybill_no or "")
    client.post("/api/postal/push", data=ems.push_form(events[2:]))  # the return first, then the rest twice
    client.post("/api/postal/push", data=ems.push_form(events))
    client.post("/api/postal/push", data=ems.push_form(events))
    item, attempt, facts = _item(letter.id)
    assert item.status is ItemStatus.failed and attempt.status is AttemptStatus.failed
    assert attempt.outcome is AttemptOutcome.unreachable and "地址不详" in (attempt.notes or "")
    assert "returned_at" not in facts
    following = [a for a in attempt.delivery.attempts if a.id != attempt.id]
    assert [a.method for a in following] == [DeliveryMethod.field]
    assert following[0].status is AttemptStatus.planned
    assert following[0].start_by is not None and attempt.ended_at is not None
    assert following[0].start_by <= attempt.ended_at + timedelta(hours=24)


def test_silent_letters_are_listed_for_a_supervisor_apart_from_returned_ones_awaiting_their_scan(
    ems: EmsServer,
    letters: Callable[..., list[int]],
    clerk: User,
    client: TestClient,
    login: Callable[..., dict[str, str]],
) -> None:
    letters(4, confirmed=True)
    quiet, heard, returned_long_ago, returned_lately = _batch(clerk)
    now = datetime.now(UTC)
    with database.get_session() as session:
        for item_id, when in ((quiet.id, 9), (heard.id, 1)):
            session.get(PostalItem, item_id).ordered_at = now - timedelta(days=when)
        for item_id, when in ((returned_lately.id, 2), (returned_long_ago.id, 9)):
            item = session.get(PostalItem, item_id)
            item.status, item.final_state = ItemStatus.awaiting_receipt, TraceState.returned
            item.ordered_at = item.last_event_at = item.final_at = now - timedelta(days=when)
    supervisor = login(Role.supervisor)
    silent = client.get("/api/postal/silent?days=5", headers=supervisor)
    assert silent.status_code == 200
    assert [letter["id"] for letter in silent.json()] == [quiet.id]  # the carrier owes news of this one only
    awaiting = client.get("/api/postal/awaiting-scan", headers=supervisor)
    assert awaiting.status_code == 200
    assert [letter["id"] for letter in awaiting.json()] == [returned_long_ago.id, returned_lately.id]
    awaiting_label = ITEM_STATUS_LABELS[ItemStatus.awaiting_receipt]
    assert {letter["status_label"] for letter in awaiting.json()} == {awaiting_label}
    with database.get_session() as session:
        reads = session.scalars(select(AuditLog.action).where(AuditLog.action.like("postal_%_read"))).all()
    assert {"postal_silent_read", "postal_awaiting_scan_read"} <= set(reads)


def test_the_aggregator_adapter_orders_polls_and_takes_pushes(
    kuaidi100: Kuaidi100Server, letters: Callable[..., list[int]], clerk: User, client: TestClient
) -> None:
    letters(2, confirmed=True)
    first, second = _batch(clerk)
    assert first.waybill_no and first.waybill_no.startswith("98") and len(kuaidi100.orders) == 2
    kuaidi100.tracking[first.waybill_no] = [
        {"time": "2026-03-02 16:00:00", "context": "已揽收", "statusCode": "1", "areaName": "北京市"},
        {"time": "2026-03-03 08:00:00", "context": "派件中", "statusCode": "5"},
        {"time": "2026-03-03 09:30:00", "context": "已签收，签收人：张一", "statusCode": "3"},
    ]
    assert poll_tracking_task()["decided"] == 1
    item, attempt, _ = _item(first.id)
    assert attempt.status is AttemptStatus.succeeded and attempt.legal_service_date == date(2026, 3, 3)

    pushed = [
        {"time": "2026-03-03 08:00:00", "context": "派件中", "statusCode": "5"},
        {"time": "2026-03-03 10:00:00", "context": "收件人拒签", "statusCode": "14"},
        {"time": "2026-03-05 17:00:00", "context": "已退回寄件人并签收", "statusCode": "4"},
    ]
    form = kuaidi100.push_form(second.waybill_no or "", pushed)
    answer = client.post("/api/postal/push", data=form)
    assert answer.json() == {"result": True, "returnCode": "200", "message": "成功"}
    assert client.post("/api/postal/push", data={**form, "sign": "0" * 32}).status_code == 403
    item, attempt, _ = _item(second.id)
    assert item.status is ItemStatus.awaiting_receipt and item.final_at is not None


def test_a_letter_whose_attempt_was_cancelled_stops_being_polled(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User
) -> None:
    letters(1)
    [letter] = _batch(clerk)
    with database.get_session() as session:
        attempt = session.get(DeliveryAttempt, letter.attempt_id)
        attempt_service.transition_attempt(
            db_session=session,
            actor=session.get(User, clerk.id),
            attempt=attempt,
            status=AttemptStatus.cancelled,
        )
    ems.tracking[letter.waybill_no or ""] = signed(letter.waybill_no or "")
    assert poll_tracking_task() == {"stored": 4, "decided": 0}
    item, attempt, facts = _item(letter.id)
    assert item.status is ItemStatus.failed and attempt.status is AttemptStatus.cancelled and facts == {}
    assert poll_tracking_task() == {"stored": 0, "decided": 0}


def test_a_signed_address_confirmation_makes_a_returned_letter_served(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User, client: TestClient
) -> None:
    letters(1)  # planned by the router, say: nothing confirmed when it was planned
    [letter] = _batch(clerk)
    with database.get_session() as session:
        attempt = session.get(DeliveryAttempt, letter.attempt_id)
        signed_form = store_evidence(
            db_session=session,
            case_id=letter.case_id,
            kind=EvidenceKind.address_confirmation,
            content=b"%PDF-1.4 signed address confirmation",
            content_type="application/pdf",
            created_by_user=session.get(User, clerk.id),
        )
        session.add(
            AddressConfirmation(
                party_id=attempt.delivery.party_id,
                postal_address=letter.address.replace("大街", "大街 "),  # as typed on the form
                obtained_via=DeliveryMethod.pickup,
                evidence_id=signed_form.id,
            )
        )
        confirmation_id = signed_form.id
    client.post("/api/postal/push", data=ems.push_form(refused_and_returned(letter.waybill_no or "")))
    assert _item(letter.id)[0].status is ItemStatus.awaiting_receipt
    answer = client.post(
        f"/api/postal/letters/{letter.id}/receipts",
        files={"file": ("envelope.png", _blank_png(), "image/png")},
        headers=_headers(client, clerk),
    )
    assert answer.status_code == 201, answer.text
    _, attempt, facts = _item(letter.id)
    assert attempt.status is AttemptStatus.succeeded and attempt.legal_service_date == date(2026, 3, 6)
    assert facts["address_confirmed"] == "是"
    with database.get_session() as session:
        rows = fact_rows(db_session=session, attempt_id=attempt.id)
        assert rows["address_confirmed"].evidence_id == confirmation_id
