"""The evidence store: write-once content-addressed files, idempotent items, one linear chain per case."""

import itertools
import stat
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.evidence import chain
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence, EvidenceChainEntry
from backend.evidence.service import EvidenceError, attempt_evidence_items, store_evidence
from backend.evidence.storage import hash_file
from backend.evidence.verification import verify_case_chain
from tests.evidence.conftest import SAMPLES, RecordedCall, stored_path


def _entries(db_session: Session, case_id: int) -> list[EvidenceChainEntry]:
    return chain.case_entries(db_session=db_session, case_id=case_id)


def test_items_are_stored_read_only_under_their_sha256_and_chained(
    recorded_call: RecordedCall, db_session: Session
) -> None:
    recording = db_session.get_one(Evidence, recorded_call.item_ids[EvidenceKind.recording_mix])
    path = stored_path(recording.file_path)
    assert recording.file_path.endswith(recording.sha256)
    assert (
        hash_file(path)
        == hash_file(SAMPLES / "thchs30_test_01.wav")
        == (recording.sha256, recording.size_bytes)
    )
    assert stat.S_IMODE(path.stat().st_mode) & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0
    assert recording.created_by_system == "telephony" and recording.created_at.tzinfo is not None
    entries = _entries(db_session, recorded_call.case_id)
    assert [entry.seq for entry in entries] == [1, 2, 3, 4]
    assert entries[0].prev_entry_hash == chain.GENESIS_HASH
    assert all(later.prev_entry_hash == earlier.entry_hash for earlier, later in itertools.pairwise(entries))
    linked = attempt_evidence_items(db_session=db_session, attempt_id=recorded_call.attempt_id)
    assert [item.id for item in linked] == sorted(recorded_call.item_ids.values())


def test_intact_case_verifies(recorded_call: RecordedCall, db_session: Session) -> None:
    report = verify_case_chain(db_session=db_session, case_id=recorded_call.case_id)
    assert report.intact, report.problems
    assert (report.entries_checked, report.files_checked, report.head_seq) == (4, 4, 4)
    assert report.head_hash == _entries(db_session, recorded_call.case_id)[-1].entry_hash


def test_storing_the_same_item_again_returns_it_without_a_new_entry(recorded_call: RecordedCall) -> None:
    def store(attempt_id: int | None) -> int:
        with database.get_session() as session:
            return store_evidence(
                db_session=session, case_id=recorded_call.case_id, kind=EvidenceKind.recording_mix,
                source_path=SAMPLES / "thchs30_test_01.wav", content_type="audio/wav",
                created_by_system="telephony", attempt_id=attempt_id,
            ).id  # fmt: skip

    assert store(recorded_call.attempt_id) == recorded_call.item_ids[EvidenceKind.recording_mix]
    assert store(recorded_call.attempt_id) == recorded_call.item_ids[EvidenceKind.recording_mix]
    unattached = store(None)
    assert unattached not in recorded_call.item_ids.values()
    assert store(None) == unattached
    with database.get_session() as session:
        assert session.scalar(select(func.count()).select_from(Evidence)) == 5
        assert [entry.seq for entry in _entries(session, recorded_call.case_id)] == [1, 2, 3, 4, 5]


def test_the_creator_must_be_named(recorded_call: RecordedCall, db_session: Session) -> None:
    with pytest.raises(EvidenceError, match="用户或哪个系统"):
        store_evidence(
            db_session=db_session, case_id=recorded_call.case_id, kind=EvidenceKind.other, content=b"x",
            content_type="text/plain",
        )  # fmt: skip
    both = store_evidence(
        db_session=db_session, case_id=recorded_call.case_id, kind=EvidenceKind.other, content=b"x",
        content_type="text/plain", created_by_user=recorded_call.agent, created_by_system="telephony",
    )  # fmt: skip
    assert (both.created_by_user_id, both.created_by_system) == (recorded_call.agent.id, "telephony")


def test_an_attempt_of_another_case_is_refused(
    recorded_call: RecordedCall, db_session: Session, make_user: Callable[..., User]
) -> None:
    from backend.cases.enums import CaseType
    from backend.cases.models import Case

    other = Case(court_id=recorded_call.court_id, case_number="(2026)京0102民初99号", cause="合同纠纷",
                 case_type=CaseType.civil, filed_on=recorded_call.agent.created_at.date())  # fmt: skip
    db_session.add(other)
    db_session.flush()
    try:
        store_evidence(
            db_session=db_session, case_id=other.id, kind=EvidenceKind.other, content=b"x",
            content_type="text/plain", created_by_user=recorded_call.agent,
            attempt_id=recorded_call.attempt_id,
        )  # fmt: skip
    except EvidenceError as exc:
        assert "不属于" in str(exc)
    else:
        raise AssertionError("stored an item against another case's attempt")


def test_concurrent_appends_to_one_case_never_fork_the_chain(recorded_call: RecordedCall) -> None:
    workers, per_worker = 3, 4
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def append_items(worker: int) -> None:
        try:
            barrier.wait()
            for number in range(per_worker):
                with database.get_session() as session:
                    store_evidence(
                        db_session=session, case_id=recorded_call.case_id, kind=EvidenceKind.photo,
                        content=f"photo {worker}-{number}".encode(), content_type="image/jpeg",
                        created_by_system=f"worker-{worker}",
                    )  # fmt: skip
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=append_items, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.get_session() as session:
        entries = _entries(session, recorded_call.case_id)
        assert [entry.seq for entry in entries] == list(range(1, 4 + workers * per_worker + 1))
        assert verify_case_chain(db_session=session, case_id=recorded_call.case_id).intact
