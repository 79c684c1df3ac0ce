"""Proof of service: the PDF states the facts, embeds its font, carries a QR link that verifies the chain."""

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries import serving
from backend.deliveries.channels import MissingFacts, channel_for
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.facts import fact_rows
from backend.deliveries.models import DeliveryAttempt, attempt_evidence
from backend.evidence import chain
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.evidence.verification import verify_case_chain
from backend.proofs.models import ProofOfService
from backend.proofs.service import ProofNotAllowed, generate_or_existing_proof
from tests.evidence.conftest import (
    CASE_NUMBER,
    PARTY_NAME,
    PHONE,
    RecordedCall,
    build_served_call,
    build_unserved_call,
    stored_path,
)


def _generate(attempt_id: int) -> Evidence:
    with database.get_session() as session:
        return generate_or_existing_proof(db_session=session, attempt_id=attempt_id)


def _pdf_text(pdf: Evidence) -> str:
    path = stored_path(pdf.file_path)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _qr_links(pdf: Evidence, tmp_path: Path) -> list[str]:
    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(stored_path(pdf.file_path)), str(prefix)], check=True
    )
    links = []
    for page in sorted(tmp_path.glob("page*.png")):
        decoded = subprocess.run(["zbarimg", "--raw", "-q", str(page)], capture_output=True, text=True)
        assert decoded.returncode in (0, 4), decoded.stderr  # 4: no symbol on this page
        links += decoded.stdout.split()
    return links


def _proof(pdf: Evidence) -> ProofOfService:
    with database.get_session() as session:
        return session.scalars(select(ProofOfService).where(ProofOfService.evidence_id == pdf.id)).one()


def _check(client: TestClient, link: str, **headers: str) -> tuple[int, dict[str, object] | str]:
    parts = urlsplit(link)
    response = client.get(f"{parts.path}?{parts.query}", headers=headers)
    is_json = response.headers["content-type"].startswith("application/json")
    return response.status_code, response.json() if is_json else response.text


def test_phone_proof_states_the_facts_and_every_hash(served_call: RecordedCall) -> None:
    pdf = _generate(served_call.attempt_id)
    assert pdf.kind == EvidenceKind.proof_pdf and pdf.content_type == "application/pdf"
    text = _pdf_text(pdf)
    with database.get_session() as session:
        hashes = [session.get_one(Evidence, item_id).sha256 for item_id in served_call.item_ids.values()]
        head = chain.case_entries(db_session=session, case_id=served_call.case_id)[-2]
        mix_id = served_call.item_ids[EvidenceKind.recording_mix]
    for expected in (
        "电话送达记录",
        "送达回证",
        "北京市西城区人民法院",
        CASE_NUMBER,
        "民间借贷纠纷",
        PARTY_NAME,
        "被告",
        "传票、起诉状副本、应诉通知书",
        "电话送达",
        "已送达",
        "赵敏",
        "送达要件及其依据",
        "通话全程录音",
        f"#{mix_id} 通话录音（混音）",
        "通话记录",  # the call record the numbers and times rest on
        PHONE,
        "2026-03-05 10:15:03",  # start, Beijing time
        "2026-03-05 10:15:11",  # answer
        "2026-03-05 10:16:02",  # end
        "同意，发到我这个手机号就行",  # from the transcript item
        head.entry_hash,
        *hashes,
    ):
        assert expected in text, expected


def test_proof_embeds_a_truetype_cjk_font(served_call: RecordedCall) -> None:
    pdf = _generate(served_call.attempt_id)
    fonts = subprocess.run(
        ["pdffonts", str(stored_path(pdf.file_path))], check=True, capture_output=True, text=True
    )
    cjk = [line for line in fonts.stdout.splitlines() if "WenQuanYi" in line]
    assert cjk and all(" yes " in line and "TrueType" in line for line in cjk), fonts.stdout


def test_proof_is_chained_and_generated_once(served_call: RecordedCall) -> None:
    pdf = _generate(served_call.attempt_id)
    assert _generate(served_call.attempt_id).id == pdf.id
    with database.get_session() as session:
        entries = chain.case_entries(db_session=session, case_id=served_call.case_id)
        assert [entry.evidence_id for entry in entries][-1] == pdf.id
        assert entries[-1].attempt_id == served_call.attempt_id
        assert verify_case_chain(db_session=session, case_id=served_call.case_id).intact
    proof = _proof(pdf)
    assert (proof.chain_seq, proof.chain_head_hash) == (len(entries) - 1, entries[-2].entry_hash)


def test_qr_code_links_to_a_check_that_answers_intact_then_not_after_tampering(
    served_call: RecordedCall, client: TestClient, tmp_path: Path
) -> None:
    pdf = _generate(served_call.attempt_id)
    proof = _proof(pdf)
    links = _qr_links(pdf, tmp_path)
    expected = f"http://127.0.0.1:8000/api/proofs/{proof.id}/verify?h={proof.chain_head_hash}"
    assert links == [expected]
    status, body = _check(client, expected)
    assert status == 200 and isinstance(body, dict)
    assert body["intact"] is True and body["entries_checked"] == proof.chain_seq + 1
    assert set(body) == {"proof_id", "intact", "generated_at", "entries_checked", "checked_at"}
    status, page = _check(client, expected, accept="text/html")
    assert (
        status == 200
        and "核验通过" in str(page)
        and PARTY_NAME not in str(page)
        and CASE_NUMBER not in str(page)
    )

    recording = stored_path(next(iter(_items_of_kind(served_call, EvidenceKind.recording_party))).file_path)
    os.chmod(recording, 0o644)
    recording.write_bytes(recording.read_bytes()[:-1] + b"\x7f")
    status, body = _check(client, expected)
    assert status == 200 and isinstance(body, dict) and body["intact"] is False
    assert "核验未通过" in str(_check(client, expected, accept="text/html")[1])


def _items_of_kind(served: RecordedCall, kind: EvidenceKind) -> list[Evidence]:
    with database.get_session() as session:
        return [session.get_one(Evidence, served.item_ids[kind])]


def test_a_tampered_proof_pdf_is_not_intact_and_a_wrong_link_reveals_nothing(
    served_call: RecordedCall, client: TestClient
) -> None:
    pdf = _generate(served_call.attempt_id)
    proof = _proof(pdf)
    link = f"/api/proofs/{proof.id}/verify?h="
    unknown = _check(client, f"/api/proofs/{proof.id + 1}/verify?h={proof.chain_head_hash}")
    for wrong in ("0" * 64, "f" * 64, proof.chain_head_hash[::-1]):  # as for a proof that does not exist
        assert _check(client, link + wrong) == unknown and unknown[0] == 404
    path = stored_path(pdf.file_path)
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes().replace(CASE_NUMBER.encode(), b"x", 1) + b"\n% edited")
    assert _check(client, link + proof.chain_head_hash)[1]["intact"] is False  # type: ignore[index]


def test_an_edited_proof_record_no_longer_matches_its_printed_link(
    served_call: RecordedCall, client: TestClient
) -> None:
    pdf = _generate(served_call.attempt_id)
    proof = _proof(pdf)
    with database.get_session() as session:
        session.execute(
            update(ProofOfService).where(ProofOfService.id == proof.id).values(chain_head_hash="f" * 64)
        )
    assert _check(client, f"/api/proofs/{proof.id}/verify?h={proof.chain_head_hash}")[1]["intact"] is False  # type: ignore[index]


def test_only_succeeded_recorded_attempts_get_a_proof(
    served_call: RecordedCall, make_user: Callable[..., User]
) -> None:
    with database.get_session() as session:
        session.execute(
            update(DeliveryAttempt)
            .where(DeliveryAttempt.id == served_call.attempt_id)
            .values(status=AttemptStatus.failed)
        )
    with pytest.raises(ProofNotAllowed):
        _generate(served_call.attempt_id)


def test_a_phone_attempt_without_recording_is_never_served_nor_proved(
    db: object, make_user: Callable[..., User]
) -> None:
    unserved = build_unserved_call(make_user, recorded=False)
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, unserved.attempt_id)
        with pytest.raises(MissingFacts, match="通话全程录音") as refused:
            serving.serve_attempt(
                db_session=session, actor=unserved.agent, attempt=attempt, outcome=AttemptOutcome.served
            )
    assert {fact.key for fact in refused.value.missing} >= {"recording", "answered_at", "party_answer"}
    with pytest.raises(ProofNotAllowed):
        _generate(unserved.attempt_id)


@pytest.mark.parametrize("outcome", [AttemptOutcome.served, AttemptOutcome.returned])
def test_postal_proof_lists_each_required_fact_with_its_evidence(
    db: object, make_user: Callable[..., User], outcome: AttemptOutcome
) -> None:
    served = build_served_call(make_user, method=DeliveryMethod.postal, outcome=outcome)
    text = _pdf_text(_generate(served.attempt_id))
    with database.get_session() as session:
        rows = fact_rows(db_session=session, attempt_id=served.attempt_id)
        items = {row.key: session.get_one(Evidence, row.evidence_id) for row in rows.values()}
    required = channel_for(DeliveryMethod.postal).required_facts(outcome)
    assert set(items) == {fact.key for fact in required}
    flat = "".join(text.split())  # table cells wrap long labels over lines
    for fact in required:
        assert "".join(fact.label.split()) in flat, fact.label
        assert f"#{items[fact.key].id}其他" in flat and items[fact.key].sha256 in flat
    for expected in ("送达回证", "EMS司法专邮", CASE_NUMBER):
        assert expected in text, expected
    assert "电话送达记录" not in text


def test_proof_api_is_scoped_to_the_case(
    served_call: RecordedCall, client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    assert (
        client.post(
            "/api/proofs", json={"attempt_id": served_call.attempt_id}, headers=login(Role.agent)
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/proofs", json={"attempt_id": served_call.attempt_id}, headers=login(Role.clerk)
        ).status_code
        == 403
    )
    response = client.post(
        "/api/proofs", json={"attempt_id": served_call.attempt_id}, headers=login(Role.supervisor)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["verify_url"].endswith(f"/api/proofs/{body['proof_id']}/verify?h={body['chain_head_hash']}")
    pdf = client.get(f"/api/evidence/{body['evidence_id']}/content", headers=login(Role.admin))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_item_that_bypassed_the_chain_blocks_the_proof(recorded_call: RecordedCall) -> None:
    with database.get_session() as session:
        party_leg = session.get_one(Evidence, recorded_call.item_ids[EvidenceKind.recording_party])
        unchained = Evidence(
            case_id=recorded_call.case_id, kind=EvidenceKind.recording_party, file_path=party_leg.file_path,
            sha256=party_leg.sha256, size_bytes=party_leg.size_bytes, content_type="audio/wav",
            created_by_system="telephony",
        )  # fmt: skip
        session.add(unchained)
        session.flush()
        link = insert(attempt_evidence).values(attempt_id=recorded_call.attempt_id, evidence_id=unchained.id)
        session.execute(link)
        attempt = session.get_one(DeliveryAttempt, recorded_call.attempt_id)
        serving.serve_attempt(
            db_session=session, actor=recorded_call.agent, attempt=attempt, outcome=AttemptOutcome.served
        )
    with pytest.raises(ProofNotAllowed, match=f"#{unchained.id} 未登记在证据链中"):
        _generate(recorded_call.attempt_id)


@pytest.mark.parametrize("claimed", ["%C3%A9", "z" * 64, "A" * 64, "0" * 63, ""])
def test_a_malformed_hash_is_simply_not_found(
    served_call: RecordedCall, client: TestClient, claimed: str
) -> None:
    pdf = _generate(served_call.attempt_id)
    status, _ = _check(client, f"/api/proofs/{_proof(pdf).id}/verify?h={claimed}")
    assert status == 404
