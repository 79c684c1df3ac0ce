"""Transcript fixtures: cases with recorded calls whose two legs are built from the real Mandarin clips.

`build_legs` lays clips on an agent and a party track taking turns (8 kHz mono, as Asterisk records);
`case_world` makes a case with a phone attempt assigned to a new agent; `recorded_call` files the legs
as evidence and writes the ended, answered call record the telephony layer would have written.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from asr.audio import AudioSegment
from asr.dialogue import Speaker, Utterance
from asr.transcript import Word
from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls.enums import CallOutcome, RecordingStatus
from backend.calls.models import CallRecord
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.config import get_settings
from backend.courts.models import Court
from backend.database import utcnow
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.evidence.service import store_evidence
from backend.parties.enums import LitigationRole, PartyType
from backend.parties.models import Party
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.flags import flag_transcript
from backend.transcripts.index import index_transcript
from backend.transcripts.models import Transcript
from backend.transcripts.service import dialogue_text
from telephony.states import CallState
from tests.conftest import SHARED_DIR, TEST_PASSWORD

# The real-Asterisk fixtures of the telephony suite, for the end-to-end call test.
from tests.telephony.calls.conftest import telephony_app, telephony_app_on  # noqa: F401
from tests.telephony.conftest import asterisk, softphone  # noqa: F401

SAMPLES = SHARED_DIR / "asr/samples/zh"
RATE = 8000
GAP_MS = 700


def references() -> dict[str, str]:
    lines = (SAMPLES / "transcripts.tsv").read_text(encoding="utf-8").splitlines()
    return {name.removesuffix(".wav"): text for name, text in (line.split("\t", 1) for line in lines if line)}


@dataclass(frozen=True)
class Turn:
    speaker: str  # "agent" or "party"
    clip: str
    start: float
    end: float


@dataclass(frozen=True)
class Legs:
    agent: Path
    party: Path
    mix: Path
    turns: list[Turn]


def clip_audio(name: str) -> AudioSegment:
    return AudioSegment.from_wav(SAMPLES / f"{name}.wav").set_channels(1).set_frame_rate(RATE)


def build_legs(directory: Path, turns: list[tuple[str, str]], *, lead_ms: int = 400) -> Legs:
    """Two equal 8 kHz tracks each (speaker, clip) turn on its speaker's track, silence on the other."""
    tracks = {"agent": AudioSegment.silent(lead_ms, RATE), "party": AudioSegment.silent(lead_ms, RATE)}
    placed = []
    for speaker, clip in turns:
        audio = clip_audio(clip)
        start = len(tracks[speaker]) / 1000
        for name in tracks:
            tracks[name] += audio if name == speaker else AudioSegment.silent(len(audio), RATE)
            tracks[name] += AudioSegment.silent(GAP_MS, RATE)
        placed.append(Turn(speaker, clip, start, start + len(audio) / 1000))
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / f"{name}.wav" for name in ("agent", "party", "mix")}
    for name in ("agent", "party"):
        tracks[name].set_sample_width(2).export(paths[name], format="wav")
    tracks["agent"].overlay(tracks["party"]).set_sample_width(2).export(paths["mix"], format="wav")
    return Legs(paths["agent"], paths["party"], paths["mix"], placed)


DIALOGUE_TURNS = [
    ("agent", "aishell1_BAC009S0002W0122"),
    ("party", "aishell1_BAC009S0002W0123"),
    ("agent", "thchs30_test_04"),
    ("party", "aishell1_BAC009S0764W0121"),
]


@pytest.fixture(scope="session")
def dialogue_legs(tmp_path_factory: pytest.TempPathFactory) -> Legs:
    """Agent and party taking turns, two clips each (about 25 s per leg)."""
    return build_legs(tmp_path_factory.mktemp("legs"), DIALOGUE_TURNS)


@pytest.fixture(scope="session")
def short_legs(tmp_path_factory: pytest.TempPathFactory) -> Legs:
    """One clip each (about 9 s per leg), for the tests about who stores the result."""
    turns = [("agent", "aishell1_BAC009S0002W0122"), ("party", "aishell1_BAC009S0002W0123")]
    return build_legs(tmp_path_factory.mktemp("short-legs"), turns)


@dataclass(frozen=True)
class CaseWorld:
    case_id: int
    attempt_id: int
    agent: User


def _new_case(session: Session, agent: User) -> tuple[Case, DeliveryAttempt]:
    court = session.scalar(select(Court).where(Court.code == "京0102")) or Court(
        code="京0102", name="北京市西城区人民法院"
    )
    case = Case(
        court=court,
        case_number=f"(2026)京0102民初{uuid.uuid4().int % 100000}号",
        cause="民间借贷纠纷",
        case_type=CaseType.civil,
        filed_on=date(2026, 2, 20),
    )
    party = Party(
        case=case,
        identity_key=uuid.uuid4().hex[:18],
        name="刘洋",
        party_type=PartyType.natural_person,
        litigation_role=LitigationRole.defendant,
    )
    delivery = Delivery(case=case, party=party, assignee_user_id=agent.id)
    attempt = DeliveryAttempt(
        delivery=delivery,
        method=DeliveryMethod.phone,
        status=AttemptStatus.in_progress,
        performed_by_user_id=agent.id,
    )
    session.add_all([court, case, party, delivery, attempt])
    session.flush()
    return case, attempt


@pytest.fixture()
def case_world(db: Engine, make_user: Callable[..., User]) -> Callable[..., CaseWorld]:
    """`case_world(agent=None)`: a new case with a phone attempt assigned to, and performed by, AGENT
    (default: a new agent)."""

    def make(agent: User | None = None) -> CaseWorld:
        agent = agent or make_user(Role.agent, full_name="赵敏")
        with database.get_session() as session:
            case, attempt = _new_case(session, agent)
            return CaseWorld(case.id, attempt.id, agent)

    return make


def _store_leg(session: Session, world: CaseWorld, leg: str, path: Path, call_id: str) -> int:
    item = store_evidence(
        db_session=session,
        case_id=world.case_id,
        kind=EvidenceKind(f"recording_{leg}"),
        content_type="audio/wav",
        source_path=path,
        metadata={
            "call_id": call_id,
            "leg": leg,
            "duration_seconds": len(AudioSegment.from_wav(path)) / 1000,
        },
        created_by_system="telephony",
        attempt_id=world.attempt_id,
    )
    return item.id


def recorded_call(world: CaseWorld, legs: Legs, *, status: RecordingStatus = RecordingStatus.complete) -> int:
    """File LEGS as the call's recordings and write its ended call record; returns the record id."""
    call_id = uuid.uuid4().hex
    ended = utcnow()
    with database.get_session() as session:
        ids = {
            leg: _store_leg(session, world, leg, getattr(legs, leg), call_id)
            for leg in ("mix", "agent", "party")
        }
        record = CallRecord(
            call_id=call_id,
            idempotency_key=uuid.uuid4().hex,
            delivery_attempt_id=world.attempt_id,
            agent_user_id=world.agent.id,
            agent_endpoint="1001",
            number_dialled="13800138000",
            connected_number="13800138000",
            status=CallState.ended,
            answered_at=ended - timedelta(seconds=30),
            ended_at=ended,
            talk_seconds=30,
            outcome=CallOutcome.answered,
            recording_status=status,
            recording_seconds=len(AudioSegment.from_wav(legs.mix)) / 1000,
            mix_evidence_id=ids["mix"],
            agent_evidence_id=ids["agent"],
            party_evidence_id=ids["party"],
        )
        session.add(record)
        session.flush()
        return record.id


def transcript_rows(call_record_id: int) -> list[Transcript]:
    with database.get_session() as session:
        return list(session.scalars(select(Transcript).where(Transcript.call_record_id == call_record_id)))


def transcript_evidence_count(case_id: int) -> int:
    with database.get_session() as session:
        query = select(func.count()).where(
            Evidence.case_id == case_id, Evidence.kind == EvidenceKind.transcript
        )
        return int(session.scalar(query) or 0)


@pytest.fixture()
def settings_env() -> Iterator[Callable[..., None]]:
    """`settings_env(name=value, ...)`: set SONGDA_NAME for this test and re-read the settings."""
    saved: dict[str, str | None] = {}

    def apply(**values: object) -> None:
        for name, value in values.items():
            key = f"SONGDA_{name.upper()}"
            saved.setdefault(key, os.environ.get(key))
            os.environ[key] = str(value)
        get_settings.cache_clear()

    yield apply
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


def spoken(speaker: str, start: float, *words: str, word_seconds: float = 0.4) -> dict[str, Any]:
    """An utterance as the pipeline stores it: WORDS said one after another from START."""
    times = [
        (round(start + i * word_seconds, 2), round(start + (i + 1) * word_seconds, 2))
        for i in range(len(words))
    ]
    timed = tuple(Word(text, begin, end, 0.9) for text, (begin, end) in zip(words, times, strict=True))
    return Utterance(Speaker(speaker), timed).as_dict()


def bare_call(world: CaseWorld, *, recording_status: RecordingStatus = RecordingStatus.complete) -> int:
    """An ended call record without recording files (for tests that never recognise speech)."""
    with database.get_session() as session:
        record = CallRecord(
            call_id=uuid.uuid4().hex,
            idempotency_key=uuid.uuid4().hex,
            delivery_attempt_id=world.attempt_id,
            agent_user_id=world.agent.id,
            agent_endpoint="1001",
            number_dialled="13800138000",
            status=CallState.ended,
            outcome=CallOutcome.answered,
            recording_status=recording_status,
        )
        session.add(record)
        session.flush()
        return record.id


def stored_transcript(
    world: CaseWorld,
    utterances: list[dict[str, Any]],
    *,
    record_id: int | None = None,
    status: TranscriptStatus = TranscriptStatus.done,
) -> int:
    """A transcript row as the pipeline leaves it (indexed and flagged when done); returns its id."""
    call_record_id = record_id or bare_call(world)
    with database.get_session() as session:
        transcript = Transcript(
            call_record_id=call_record_id,
            case_id=world.case_id,
            status=status,
            attempts=1,
            utterances=utterances,
            text=dialogue_text(utterances),
        )
        session.add(transcript)
        session.flush()
        if status is TranscriptStatus.done:
            index_transcript(db_session=session, transcript=transcript)
            flag_transcript(db_session=session, transcript=transcript, utterances=utterances)
        return transcript.id


def headers_for(client: TestClient, user: User) -> dict[str, str]:
    """Log USER in through the API; the Authorization header."""
    response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def audit_actions(case_id: int | None = None) -> list[tuple[str, str | None]]:
    """(action, actor username) of the audit rows, oldest first; only CASE_ID's when given."""
    with database.get_session() as session:
        query = select(AuditLog).order_by(AuditLog.id)
        if case_id is not None:
            query = query.where(AuditLog.case_id == case_id)
        return [(row.action, row.actor_username) for row in session.scalars(query)]
