"""Every kind of tampering is found by the service, the CLI and the API; an intact case passes all three."""

import os
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select, update
from typer.testing import CliRunner

from backend import database
from backend.audit.models import AuditLog
from backend.auth.roles import Role
from backend.calls.models import CallRecord
from backend.cli import app as cli_app
from backend.deliveries.models import attempt_evidence
from backend.evidence import chain
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence, EvidenceChainEntry
from backend.evidence.verification import verify_case_chain
from tests.evidence.conftest import CASE_NUMBER, RecordedCall, stored_path

Tamper = Callable[[Engine, RecordedCall], None]


def _item(served: RecordedCall, kind: EvidenceKind) -> Evidence:
    with database.get_session() as session:
        return session.get_one(Evidence, served.item_ids[kind])


def flip_one_byte(engine: Engine, served: RecordedCall) -> None:
    path = stored_path(_item(served, EvidenceKind.recording_party).file_path)
    os.chmod(path, 0o644)
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))


def delete_file(engine: Engine, served: RecordedCall) -> None:
    stored_path(_item(served, EvidenceKind.recording_agent).file_path).unlink()


def _remove_item_rows(engine: Engine, evidence_id: int) -> None:
    with engine.begin() as connection:
        for column in (
            CallRecord.mix_evidence_id,
            CallRecord.agent_evidence_id,
            CallRecord.party_evidence_id,
        ):
            connection.execute(update(CallRecord).where(column == evidence_id).values({column: None}))
        connection.execute(delete(attempt_evidence).where(attempt_evidence.c.evidence_id == evidence_id))
        connection.execute(delete(EvidenceChainEntry).where(EvidenceChainEntry.evidence_id == evidence_id))
        connection.execute(delete(Evidence).where(Evidence.id == evidence_id))


def delete_item_rows(engine: Engine, served: RecordedCall) -> None:
    _remove_item_rows(engine, served.item_ids[EvidenceKind.recording_agent])


def truncate_chain_tail(engine: Engine, served: RecordedCall) -> None:
    """Remove the last item with its entry and link: a chain that is merely shorter."""
    _remove_item_rows(engine, served.item_ids[EvidenceKind.transcript])


def delete_chain_entry(engine: Engine, served: RecordedCall) -> None:
    with engine.begin() as connection:
        connection.execute(
            delete(EvidenceChainEntry).where(
                EvidenceChainEntry.case_id == served.case_id, EvidenceChainEntry.seq == 2
            )
        )


def swap_two_entries(engine: Engine, served: RecordedCall) -> None:
    entry = EvidenceChainEntry
    with engine.begin() as connection:
        for old, new in ((2, -1), (3, 2), (-1, 3)):
            connection.execute(
                update(entry).where(entry.case_id == served.case_id, entry.seq == old).values(seq=new)
            )


def edit_entry(engine: Engine, served: RecordedCall) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(EvidenceChainEntry)
            .where(EvidenceChainEntry.case_id == served.case_id, EvidenceChainEntry.seq == 1)
            .values(size_bytes=EvidenceChainEntry.size_bytes + 1)
        )


def rewrite_entry_and_rehash(engine: Engine, served: RecordedCall) -> None:
    """Replace an item's recorded hash and recompute that entry's own hash: the next link breaks."""
    with database.get_session() as session:
        entry = session.scalars(
            select(EvidenceChainEntry).where(
                EvidenceChainEntry.case_id == served.case_id, EvidenceChainEntry.seq == 2
            )
        ).one()
        fake = "ab" * 32
        session.execute(update(Evidence).where(Evidence.id == entry.evidence_id).values(sha256=fake))
        entry.item_sha256 = fake
        entry.entry_hash = chain.compute_entry_hash(entry)


def edit_item_row(engine: Engine, served: RecordedCall) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(Evidence)
            .where(Evidence.id == served.item_ids[EvidenceKind.recording_mix])
            .values(kind=EvidenceKind.other)
        )


TAMPERING: dict[str, tuple[Tamper, str]] = {
    "flipped byte": (flip_one_byte, "file_altered"),
    "deleted file": (delete_file, "file_missing"),
    "deleted item rows": (delete_item_rows, "broken_link"),
    "truncated tail": (truncate_chain_tail, "entry_missing"),
    "deleted chain entry": (delete_chain_entry, "item_unchained"),
    "swapped entries": (swap_two_entries, "entry_edited"),
    "edited entry": (edit_entry, "entry_edited"),
    "rewritten entry": (rewrite_entry_and_rehash, "broken_link"),
    "edited item row": (edit_item_row, "item_row_edited"),
}


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, ["evidence", "verify", *args])
    return result.exit_code, result.output


def _api_verify(client: TestClient, headers: dict[str, str], case_id: int) -> dict[str, object]:
    response = client.get(f"/api/cases/{case_id}/evidence/verify", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_intact_case_passes_service_cli_and_api(
    recorded_call: RecordedCall, client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    with database.get_session() as session:
        assert verify_case_chain(db_session=session, case_id=recorded_call.case_id).intact
    for args in (["--case", CASE_NUMBER], ["--all"]):
        code, output = _cli(*args)
        assert code == 0, output
        assert "完好" in output and CASE_NUMBER in output
    body = _api_verify(client, login(Role.supervisor), recorded_call.case_id)
    assert body["intact"] is True and body["entries_checked"] == 4 and body["problems"] == []


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampering_is_detected_everywhere(
    name: str,
    recorded_call: RecordedCall,
    db: Engine,
    client: TestClient,
    login: Callable[..., dict[str, str]],
) -> None:
    tamper, expected_code = TAMPERING[name]
    tamper(db, recorded_call)
    with database.get_session() as session:
        report = verify_case_chain(db_session=session, case_id=recorded_call.case_id)
    assert not report.intact
    assert expected_code in {problem.code for problem in report.problems}, report.problems
    code, output = _cli("--case", CASE_NUMBER)
    assert code == 1 and "问题" in output and report.problems[0].message in output
    assert _cli("--all")[0] == 1
    body = _api_verify(client, login(Role.admin), recorded_call.case_id)
    assert body["intact"] is False
    assert expected_code in {problem["code"] for problem in body["problems"]}  # type: ignore[attr-defined]


def test_api_verification_is_role_scoped_and_audited(
    recorded_call: RecordedCall, client: TestClient, login: Callable[..., dict[str, str]]
) -> None:
    assert client.get(f"/api/cases/{recorded_call.case_id}/evidence/verify").status_code == 401
    agent = login(Role.agent)
    assert client.get(f"/api/cases/{recorded_call.case_id}/evidence/verify", headers=agent).status_code == 403
    other_clerk = login(Role.clerk)
    assert (
        client.get(f"/api/cases/{recorded_call.case_id}/evidence/verify", headers=other_clerk).status_code
        == 404
    )
    clerk = login(Role.clerk, court_id=recorded_call.court_id)
    assert _api_verify(client, clerk, recorded_call.case_id)["intact"] is True
    with database.get_session() as session:
        audited = session.scalars(select(AuditLog).where(AuditLog.action == "evidence_verified")).all()
        assert [row.case_id for row in audited] == [recorded_call.case_id]


def test_cli_needs_exactly_one_target_and_a_known_case(recorded_call: RecordedCall) -> None:
    assert _cli()[0] == 2
    assert _cli("--all", "--case", CASE_NUMBER)[0] == 2
    code, output = _cli("--case", "(2026)京0102民初1号")
    assert code == 1 and "未找到案件" in output
