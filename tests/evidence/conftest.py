"""A phone delivery with real recordings, a transcript and call metadata, stored through the store;
served through its channel (served_call) or still in progress (recorded_call)."""

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls.enums import CallOutcome, RecordingStatus
from backend.calls.models import CallRecord
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.config import get_settings
from backend.courts.models import Court
from backend.deliveries import serving
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.evidence.enums import EvidenceKind
from backend.evidence.service import store_evidence
from backend.parties.enums import ContactKind, LitigationRole, PartyType
from backend.parties.models import ContactPoint, Party
from telephony.states import CallState
from tests.conftest import SHARED_DIR
from tests.facts import record_required_facts

SAMPLES = SHARED_DIR / "asr/samples/zh"
CASE_NUMBER = "(2026)京0102民初12345号"
PARTY_NAME = "刘洋"
PHONE = "13800138000"
CALL_START = datetime(2026, 3, 5, 2, 15, 3, 120000, tzinfo=UTC)  # 10:15:03 in Beijing
CALL_ANSWER = datetime(2026, 3, 5, 2, 15, 11, 480000, tzinfo=UTC)
CALL_END = datetime(2026, 3, 5, 2, 16, 2, 910000, tzinfo=UTC)
TRANSCRIPT = {
    "segments": [
        {
            "speaker": "agent",
            "start": 0.4,
            "text": "您好，这里是北京市西城区人民法院送达中心，请问是刘洋先生吗",
        },
        {"speaker": "party", "start": 4.1, "text": "是我"},
        {
            "speaker": "agent",
            "start": 5.0,
            "text": "您的借款合同纠纷一案需要向您送达传票，您是否同意电子送达",
        },
        {"speaker": "party", "start": 9.8, "text": "同意，发到我这个手机号就行"},
    ]
}


@dataclass(frozen=True)
class RecordedCall:
    court_id: int
    case_id: int
    delivery_id: int
    attempt_id: int
    agent: User
    item_ids: dict[EvidenceKind, int]


@pytest.fixture(autouse=True)
def empty_evidence_dir() -> Iterator[None]:
    """Each test starts with an empty evidence store, as a fresh database goes with a fresh store."""
    shutil.rmtree(get_settings().evidence_dir, ignore_errors=True)
    get_settings().evidence_dir.mkdir(parents=True)
    yield


def _case(session: Session, court: Court) -> Case:
    case = Case(
        court=court,
        case_number=CASE_NUMBER,
        cause="民间借贷纠纷",
        case_type=CaseType.civil,
        filed_on=date(2026, 2, 20),
        judge_name="李明",
        clerk_name="王芳",
    )
    session.add(case)
    return case


def _party(session: Session, case: Case) -> tuple[Party, ContactPoint]:
    party = Party(
        case=case,
        identity_key="11010519900202002X",
        name=PARTY_NAME,
        party_type=PartyType.natural_person,
        litigation_role=LitigationRole.defendant,
        id_number="11010519900202002X",
    )
    phone = ContactPoint(party=party, kind=ContactKind.phone, value=PHONE, source="court_export")
    session.add_all([party, phone])
    return party, phone


def _delivery(session: Session, case: Case, agent: User, method: DeliveryMethod) -> DeliveryAttempt:
    party, phone = _party(session, case)
    documents = [
        Document(case=case, name=name, kind=kind)
        for name, kind in (
            ("传票", DocumentKind.summons),
            ("起诉状副本", DocumentKind.complaint),
            ("应诉通知书", DocumentKind.notice),
        )
    ]
    delivery = Delivery(case=case, party=party, documents=documents, assignee_user_id=agent.id)
    attempt = DeliveryAttempt(
        delivery=delivery,
        method=method,
        status=AttemptStatus.in_progress,
        performed_by_user_id=agent.id,
        started_at=CALL_START,
        ended_at=CALL_END,
    )
    delivery.status = DeliveryStatus.in_progress
    session.add_all([*documents, delivery, attempt])
    session.flush()
    attempt.contact_point_id = phone.id
    return attempt


CALL_ID = "1772676903.57"
LEG_FILES = {
    "mix": (EvidenceKind.recording_mix, "thchs30_test_01.wav"),
    "agent": (EvidenceKind.recording_agent, "aishell1_BAC009S0002W0122.wav"),
    "party": (EvidenceKind.recording_party, "aishell1_BAC009S0002W0123.wav"),
}


def _call_record(attempt: DeliveryAttempt, agent: User) -> CallRecord:
    """The call as the telephony layer records it: numbers, Asterisk timestamps, Q.850 cause."""
    return CallRecord(
        call_id=CALL_ID,
        idempotency_key=f"attempt-{attempt.id}-call-1",
        delivery_attempt_id=attempt.id,
        agent_user_id=agent.id,
        agent_endpoint="PJSIP/1001",
        number_dialled=PHONE,
        connected_number=PHONE,
        status=CallState.ended,
        originated_at=CALL_START - timedelta(seconds=3),
        agent_answered_at=CALL_START - timedelta(seconds=1),
        dialled_at=CALL_START,
        ring_at=CALL_START + timedelta(seconds=1),
        answered_at=CALL_ANSWER,
        ended_at=CALL_END,
        talk_seconds=51,
        outcome=CallOutcome.answered,
        dial_status="ANSWER",
        hangup_cause=16,
        hangup_cause_text="Normal Clearing",
        recording_status=RecordingStatus.complete,
        recording_seconds=51.4,
    )


def _store_call_evidence(session: Session, attempt: DeliveryAttempt, agent: User) -> dict[EvidenceKind, int]:
    record = _call_record(attempt, agent)
    case_id = attempt.delivery.case_id
    ids = {}
    for leg, (kind, name) in LEG_FILES.items():
        metadata = {
            "call_id": CALL_ID,
            "leg": leg,
            "number_dialled": PHONE,
            "delivery_attempt_id": attempt.id,
        }
        item = store_evidence(
            db_session=session,
            case_id=case_id,
            kind=kind,
            source_path=SAMPLES / name,
            content_type="audio/wav",
            metadata=metadata,
            created_by_system="telephony",
            attempt_id=attempt.id,
        )
        setattr(record, f"{leg}_evidence_id", item.id)
        ids[kind] = item.id
    transcript = store_evidence(
        db_session=session, case_id=case_id, kind=EvidenceKind.transcript,
        content=json.dumps(TRANSCRIPT, ensure_ascii=False).encode(), content_type="application/json",
        metadata={"engine": "vosk-model-small-cn-0.22"}, created_by_system="asr", attempt_id=attempt.id,
    )  # fmt: skip
    ids[EvidenceKind.transcript] = transcript.id
    session.add(record)
    return ids


def build_served_call(
    make_user: Callable[..., User],
    method: DeliveryMethod = DeliveryMethod.phone,
    outcome: AttemptOutcome = AttemptOutcome.served,
) -> RecordedCall:
    """Commit a court, a case, and an attempt by a new agent served through its channel: for phone, from
    its recorded call (the channel gathers the facts from the call record); else from recorded facts."""
    agent = make_user(Role.agent, full_name="赵敏")
    with database.get_session() as session:
        court = Court(code="京0102", name="北京市西城区人民法院")
        case = _case(session, court)
        attempt = _delivery(session, case, agent, method)
        items = _store_call_evidence(session, attempt, agent) if method == DeliveryMethod.phone else {}
        session.flush()
        if method != DeliveryMethod.phone:
            record_required_facts(session, attempt, outcome)
        serving.serve_attempt(db_session=session, actor=agent, attempt=attempt, outcome=outcome)
        return RecordedCall(court.id, case.id, attempt.delivery_id, attempt.id, agent, items)


def build_unserved_call(make_user: Callable[..., User], *, recorded: bool) -> RecordedCall:
    """A phone attempt in progress with (or without) its recorded call, not served."""
    agent = make_user(Role.agent, full_name="赵敏")
    with database.get_session() as session:
        court = Court(code="京0102", name="北京市西城区人民法院")
        case = _case(session, court)
        attempt = _delivery(session, case, agent, DeliveryMethod.phone)
        items = _store_call_evidence(session, attempt, agent) if recorded else {}
        return RecordedCall(court.id, case.id, attempt.delivery_id, attempt.id, agent, items)


@pytest.fixture()
def served_call(db: Engine, make_user: Callable[..., User]) -> RecordedCall:
    """A phone attempt served through its channel from its recorded, answered call."""
    return build_served_call(make_user)


@pytest.fixture()
def recorded_call(db: Engine, make_user: Callable[..., User]) -> RecordedCall:
    """A phone attempt in progress with its recorded call on file (three legs and a transcript)."""
    return build_unserved_call(make_user, recorded=True)


def stored_path(relative_path: str) -> Path:
    return get_settings().evidence_dir / relative_path
