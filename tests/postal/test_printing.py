"""Printing a confirmed batch: each field of the overlay lies within 1 mm of the layout file plus the
printer's offset (read back with pdftotext -bbox), the thermal label's Code 128 decodes (zbarimg) to the
waybill number, the calibration sheet and the 送达回证 cards print; roles and audit."""

import re
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.postal import receipts
from backend.postal.printing import Sheet, load_layout, render_forms
from tests.conftest import TEST_PASSWORD
from tests.postal.conftest import confirmed_batch
from tests.postal.vendor_servers import EmsServer

MM = 72 / 25.4
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>')


def _headers(client: TestClient, user: User) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _words(pdf: Path) -> list[tuple[float, float, str]]:
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True
    )
    return [(float(x) / MM, float(y) / MM, text) for x, y, text in WORD.findall(html.stdout)]


def test_the_overlay_puts_each_field_where_the_layout_and_offset_say(
    letters: Callable[..., list[int]], clerk: User, client: TestClient, tmp_path: Path
) -> None:
    letters(3)
    with database.get_session() as session:
        item_ids = confirmed_batch(session, clerk)
    headers = _headers(client, clerk)
    printer = client.post(
        "/api/postal/printers",
        json={"name": "书记室针式打印机", "offset_x_mm": 1.5, "offset_y_mm": -2.0},
        headers=headers,
    ).json()
    assert (
        client.put(
            f"/api/postal/printers/{printer['id']}",
            json={"name": "书记室针式打印机", "offset_x_mm": 25, "offset_y_mm": 0},
            headers=headers,
        ).status_code
        == 422
    )
    letter = client.get(f"/api/postal/letters/{item_ids[0]}", headers=headers).json()
    pdf = client.get(
        f"/api/postal/batches/{letter['batch_id']}/forms.pdf?printer_id={printer['id']}", headers=headers
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "forms.pdf").write_bytes(pdf.content)
    info = subprocess.run(["pdfinfo", str(tmp_path / "forms.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+3", info)
    words = _words(tmp_path / "forms.pdf")
    expected = {
        "waybill_no": letter["waybill_no"],
        "sender_name": "北京市西城区人民法院",
        "recipient_name": letter["recipient_name"],
        "recipient_phone": letter["recipient_phone"],
        "recipient_address": letter["address"],
        "case_number": letter["case_number"],
        "documents": letter["document_list"],
        "posted_on": "2026年03月02日",
    }
    layout = load_layout()["fields"]
    for field, value in expected.items():
        spot = next(((x, y) for x, y, text in words if text and value.startswith(text)), None)
        assert spot is not None, f"{field} ({value}) not found in {words}"
        x, y = spot
        assert abs(x - (layout[field]["x"] + 1.5)) <= 1, (field, x)
        assert abs(y - (layout[field]["y"] - 2.0)) <= 1, (field, y)

    calibration = client.get(f"/api/postal/printers/{printer['id']}/calibration.pdf", headers=headers)
    (tmp_path / "calibration.pdf").write_bytes(calibration.content)
    assert any("校准" in text for _, _, text in _words(tmp_path / "calibration.pdf"))
    with database.get_session() as session:
        printed = session.scalars(select(AuditLog).where(AuditLog.action == "postal_batch_printed")).all()
        assert len(printed) == 1


def test_the_label_barcode_decodes_to_the_waybill_number(
    letters: Callable[..., list[int]], clerk: User, client: TestClient, tmp_path: Path
) -> None:
    letters(2)
    with database.get_session() as session:
        item_ids = confirmed_batch(session, clerk)
    headers = _headers(client, clerk)
    letter = client.get(f"/api/postal/letters/{item_ids[1]}", headers=headers).json()
    for kind in ("labels", "cards"):
        answer = client.get(f"/api/postal/batches/{letter['batch_id']}/{kind}.pdf", headers=headers)
        (tmp_path / f"{kind}.pdf").write_bytes(answer.content)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-gray",
            "-png",
            "-f",
            "2",
            "-l",
            "2",
            str(tmp_path / "labels.pdf"),
            str(tmp_path / "label"),
        ],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", *map(str, tmp_path.glob("label*.png"))], capture_output=True, text=True
    )
    assert decoded.stdout.split() == [letter["waybill_no"]]
    label_text = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(tmp_path / "labels.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert letter["case_number"] in label_text and "传票、起诉状副本" in label_text
    card_text = subprocess.run(
        ["pdftotext", str(tmp_path / "cards.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "送达回证" in card_text and letter["waybill_no"] in card_text
    # a pile of returned cards scanned to one PDF: each page's barcode is read
    assert sorted(receipts.read_barcodes((tmp_path / "cards.pdf").read_bytes())) == sorted(
        client.get(f"/api/postal/letters/{item_id}", headers=headers).json()["waybill_no"]
        for item_id in item_ids
    )
    assert (
        client.get(f"/api/postal/batches/{letter['batch_id']}/other.pdf", headers=headers).status_code == 422
    )


def test_a_long_document_list_is_printed_in_smaller_type_or_counted(tmp_path: Path) -> None:
    documents = "、".join(f"第{number}号证据材料副本" for number in range(1, 25))
    sheet = Sheet(
        waybill_no="1100000000001",
        sender_name="北京市西城区人民法院",
        sender_phone="010-12368",
        sender_address="北京市西城区二龙路甲1号",
        recipient_name="张一",
        recipient_phone="",
        recipient_address="北京市海淀区中关村大街1号",
        case_number="(2026)京0102民初1号",
        documents=documents,
        posted_on=date(2026, 3, 2),
    )
    (tmp_path / "form.pdf").write_bytes(render_forms([sheet]))
    printed = "".join(text for _, _, text in _words(tmp_path / "form.pdf"))
    assert documents[:100] in printed and "…等共24份" in printed
    shorter = documents[: documents.index("、第13号")]
    (tmp_path / "form.pdf").write_bytes(render_forms([replace(sheet, documents=shorter)]))
    assert shorter in "".join(text for _, _, text in _words(tmp_path / "form.pdf"))  # whole, in smaller type


def test_the_batch_prints_on_emss_own_labels_through_its_label_api(
    ems: EmsServer, letters: Callable[..., list[int]], clerk: User, client: TestClient, tmp_path: Path
) -> None:
    letters(2)
    with database.get_session() as session:
        item_ids = confirmed_batch(session, clerk)
    headers = _headers(client, clerk)
    letter = client.get(f"/api/postal/letters/{item_ids[0]}", headers=headers).json()
    pdf = client.get(f"/api/postal/batches/{letter['batch_id']}/ems-labels.pdf", headers=headers)
    assert pdf.status_code == 200, pdf.text
    (tmp_path / "ems.pdf").write_bytes(pdf.content)
    info = subprocess.run(["pdfinfo", str(tmp_path / "ems.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+2", info) and re.search(r"Page size:\s+283\.46\d* x 510\.2", info), info
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "ems.pdf"), "-"], capture_output=True, text=True
    ).stdout
    waybills = sorted(ems.orders.values())
    assert sorted(re.findall(r"EMS (\d+)", text)) == waybills


def test_a_vendor_without_labels_sends_the_clerk_to_songdas_own(
    letters: Callable[..., list[int]], clerk: User, client: TestClient
) -> None:
    letters(1)
    with database.get_session() as session:
        item_ids = confirmed_batch(session, clerk)
    headers = _headers(client, clerk)
    letter = client.get(f"/api/postal/letters/{item_ids[0]}", headers=headers).json()
    answer = client.get(f"/api/postal/batches/{letter['batch_id']}/ems-labels.pdf", headers=headers)
    assert answer.status_code == 422 and "热敏面单" in answer.json()["detail"]
    own = client.get(f"/api/postal/batches/{letter['batch_id']}/labels.pdf", headers=headers)
    assert own.status_code == 200
