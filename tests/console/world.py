"""A case file as a court clerk finds it after weeks of service: many parties with phones and addresses and
their history, documents as PDFs, deliveries with attempts by every method and the facts they recorded,
calls with recordings (real WAV files) and transcripts with key-phrase flags, and proofs of service.

Used by the console's browser tests (a small case) and benchmarks/case_file_page.py (40 parties, 300
attempts, 60 calls)."""

import io
import math
import struct
import uuid
import wave
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from asr.dialogue import Speaker, Utterance
from asr.transcript import Word
from backend.auth.models import User
from backend.calls.enums import CallOutcome, RecordingStatus
from backend.calls.models import CallRecord
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.config import get_settings
from backend.courts.models import Court
from backend.database import utcnow
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import AttemptFact, Delivery, DeliveryAttempt
from backend.demo import pdfs
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.evidence.enums import EvidenceKind
from backend.evidence.service import store_evidence
from backend.parties.enums import ContactEventKind, ContactKind, ContactState, LitigationRole, PartyType
from backend.parties.models import ContactPoint, ContactPointEvent, Party
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.flags import flag_transcript
from backend.transcripts.index import index_transcript
from backend.transcripts.models import Transcript
from backend.transcripts.service import dialogue_text
from telephony.states import CallState

COURT_CODE = "京0102"
COURT_NAME = "北京市西城区人民法院"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"]
# A call's dialogue: (speaker, start second, words). The party consents to electronic service (a flag).
DIALOGUE: list[tuple[Speaker, float, tuple[str, ...]]] = [
    (Speaker.AGENT, 0.5, ("您好", "这里是", "西城区", "人民法院", "送达", "中心")),
    (Speaker.PARTY, 3.5, ("你好", "什么", "事情")),
    (Speaker.AGENT, 5.5, ("您有", "一份", "传票", "需要", "送达", "请问", "是", "本人", "吗")),
    (Speaker.PARTY, 9.5, ("是", "我", "本人")),
    (Speaker.AGENT, 11.5, ("可以", "电子", "送达", "吗")),
    (Speaker.PARTY, 13.5, ("可以", "发到", "我", "手机", "上")),
    (Speaker.AGENT, 16.5, ("好的", "稍后", "短信", "发给", "您", "再见")),
]
AUDIO_SECONDS = 20.0
METHODS = [
    DeliveryMethod.phone,
    DeliveryMethod.postal,
    DeliveryMethod.electronic,
    DeliveryMethod.pickup,
    DeliveryMethod.field,
]
FACTS: dict[DeliveryMethod, list[tuple[str, str]]] = {
    DeliveryMethod.postal: [("waybill_number", "1180012345678"), ("posted_at", "2026-11-20 10:00")],
    DeliveryMethod.electronic: [("sent_at", "2026-11-20 10:00"), ("recipient_address", "13800138000")],
    DeliveryMethod.pickup: [("appointment", "法院窗口 2 号 09:00-09:30")],
    DeliveryMethod.field: [("address", "北京市西城区金融大街 7 号"), ("officer", "刘强")],
    DeliveryMethod.phone: [("number_dialled", "13900000000"), ("agent", "李娜")],
}


@dataclass
class BigCase:
    case_id: int
    case_number: str
    party_ids: list[int] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)
    attempt_ids: list[int] = field(default_factory=list)
    call_record_ids: list[int] = field(default_factory=list)
    recording_evidence_ids: list[int] = field(default_factory=list)
    proof_evidence_ids: list[int] = field(default_factory=list)


def wav_bytes(seconds: float = AUDIO_SECONDS, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of SECONDS: a tone that rises through the call (a recording stand-in)."""
    frames = bytearray()
    for index in range(int(seconds * rate)):
        pitch = 300 + 200 * index / (seconds * rate)
        frames += struct.pack("<h", int(6000 * math.sin(2 * math.pi * pitch * index / rate)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def utterances() -> list[dict[str, Any]]:
    spoken = []
    for speaker, start, words in DIALOGUE:
        timed = tuple(
            Word(text, round(start + i * 0.4, 2), round(start + (i + 1) * 0.4, 2), 0.92)
            for i, text in enumerate(words)
        )
        spoken.append(Utterance(speaker, timed).as_dict())
    return spoken


def _court(session: Session) -> Court:
    court = session.scalar(select(Court).where(Court.code == COURT_CODE))
    if court is None:
        court = Court(code=COURT_CODE, name=COURT_NAME)
        session.add(court)
    return court


def _party(session: Session, case: Case, index: int) -> Party:
    name = SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)] + GIVEN[(index * 7) % len(GIVEN)]
    party = Party(
        case=case,
        identity_key=f"big-{case.case_number}-{index}",
        name=name if index % 5 else f"{name}贸易有限公司",
        party_type=PartyType.natural_person if index % 5 else PartyType.legal_person,
        litigation_role=LitigationRole.plaintiff if index == 0 else LitigationRole.defendant,
    )
    tail = uuid.uuid4().int % 10000
    phones = [f"139{index:04d}{tail:04d}", f"010-6{index:03d}{tail:04d}"]
    for number, state in zip(phones, [ContactState.verified, ContactState.invalid], strict=True):
        point = ContactPoint(kind=ContactKind.phone, value=number, source="court_export", state=state)
        point.history.append(ContactPointEvent(kind=ContactEventKind.added, source="court_export"))
        if state is ContactState.verified:
            event = ContactPointEvent(kind=ContactEventKind.verified, source="desk_call", note="本人确认")
        else:
            event = ContactPointEvent(kind=ContactEventKind.invalidated, source="desk_call", note="空号")
        point.history.append(event)
        party.contact_points.append(point)
    address = ContactPoint(
        kind=ContactKind.address, value=f"北京市西城区金融大街 {index + 1} 号", source="court_export"
    )
    address.history.append(ContactPointEvent(kind=ContactEventKind.added, source="court_export"))
    party.contact_points.append(address)
    session.add(party)
    return party


def _documents(session: Session, case: Case, party_name: str) -> list[Document]:
    documents = []
    for title, kind in [("传票", DocumentKind.summons), ("起诉状副本", DocumentKind.complaint)]:
        text = pdfs.DocumentText(
            court_name=COURT_NAME,
            case_number=case.case_number,
            title=title,
            party_name=party_name,
            party_role="被告",
            cause=case.cause,
            issued_on=date(2026, 11, 20),
        )
        relative = f"console-tests/{uuid.uuid4().hex}.pdf"
        stored = pdfs.store(
            pdfs.render(text), documents_dir=get_settings().documents_dir, relative_path=relative
        )
        document = Document(
            case=case,
            name=f"{title}.pdf",
            kind=kind,
            file_path=stored.relative_path,
            sha256=stored.sha256,
            size_bytes=stored.size_bytes,
            content_type="application/pdf",
        )
        session.add(document)
        documents.append(document)
    return documents


def _fact(session: Session, case: Case, attempt: DeliveryAttempt, key: str, value: str) -> None:
    item = store_evidence(
        db_session=session,
        case_id=case.id,
        kind=EvidenceKind.other,
        content_type="application/json",
        content=f'{{"{key}": "{value}", "attempt": {attempt.id}}}'.encode(),
        created_by_system="console-tests",
        attempt_id=attempt.id,
    )
    fact = AttemptFact(attempt=attempt, key=key, value=value, evidence_id=item.id, recorded_by_system="tests")
    session.add(fact)


def _call(session: Session, world: BigCase, attempt: DeliveryAttempt, agent: User, audio: bytes) -> None:
    call_id = uuid.uuid4().hex
    mix = store_evidence(
        db_session=session,
        case_id=world.case_id,
        kind=EvidenceKind.recording_mix,
        content_type="audio/wav",
        content=audio,
        metadata={"call_id": call_id, "leg": "mix", "duration_seconds": AUDIO_SECONDS},
        created_by_system="telephony",
        attempt_id=attempt.id,
    )
    ended = utcnow() - timedelta(hours=len(world.call_record_ids) + 1)
    record = CallRecord(
        call_id=call_id,
        idempotency_key=uuid.uuid4().hex,
        delivery_attempt_id=attempt.id,
        agent_user_id=agent.id,
        agent_endpoint="1001",
        number_dialled="13900000000",
        connected_number="13900000000",
        status=CallState.ended,
        originated_at=ended - timedelta(seconds=AUDIO_SECONDS + 8),
        answered_at=ended - timedelta(seconds=AUDIO_SECONDS),
        ended_at=ended,
        talk_seconds=int(AUDIO_SECONDS),
        outcome=CallOutcome.answered,
        recording_status=RecordingStatus.complete,
        recording_seconds=AUDIO_SECONDS,
        mix_evidence_id=mix.id,
    )
    session.add(record)
    session.flush()
    spoken = utterances()
    transcript = Transcript(
        call_record_id=record.id,
        case_id=world.case_id,
        status=TranscriptStatus.done,
        attempts=1,
        utterances=spoken,
        text=dialogue_text(spoken),
        engine="tests",
        audio_seconds=AUDIO_SECONDS,
        finished_at=ended,
    )
    session.add(transcript)
    session.flush()
    index_transcript(db_session=session, transcript=transcript)
    flag_transcript(db_session=session, transcript=transcript, utterances=spoken)
    world.call_record_ids.append(record.id)
    world.recording_evidence_ids.append(mix.id)


def _proof(session: Session, world: BigCase, case: Case, attempt: DeliveryAttempt, party_name: str) -> None:
    text = pdfs.DocumentText(
        court_name=COURT_NAME,
        case_number=case.case_number,
        title="送达回证",
        party_name=party_name,
        party_role="受送达人",
        cause=case.cause,
        issued_on=date(2026, 11, 25),
    )
    item = store_evidence(
        db_session=session,
        case_id=case.id,
        kind=EvidenceKind.proof_pdf,
        content_type="application/pdf",
        content=pdfs.render(text),
        created_by_system="proofs",
        attempt_id=attempt.id,
    )
    world.proof_evidence_ids.append(item.id)


def build_case(
    session: Session,
    *,
    agent: User,
    parties: int = 4,
    attempts: int = 12,
    calls: int = 3,
    number: int | None = None,
) -> BigCase:
    """A case with PARTIES parties, ATTEMPTS attempts spread over one delivery per party (every method in
    turn, the last of each delivery served), CALLS answered calls with recordings and transcripts on its
    phone attempts. Committed by the caller."""
    serial = number if number is not None else uuid.uuid4().int % 90000 + 10000
    case = Case(
        court=_court(session),
        case_number=f"（2026）京0102民初{serial}号",
        cause="买卖合同纠纷",
        case_type=CaseType.civil,
        filed_on=date(2026, 11, 2),
        judge_name="孙丽华",
        clerk_name="陈晓",
        hearing_at=utcnow().replace(microsecond=0) + timedelta(days=20),
        service_deadline=date.today() + timedelta(days=10),
    )
    session.add(case)
    session.flush()
    world = BigCase(case_id=case.id, case_number=case.case_number)
    people = [_party(session, case, index) for index in range(parties)]
    documents = _documents(session, case, people[-1].name)
    session.flush()
    world.party_ids = [party.id for party in people]
    world.document_ids = [document.id for document in documents]
    audio = wav_bytes()
    per_party = [attempts // parties + (1 if index < attempts % parties else 0) for index in range(parties)]
    phone_attempts: list[DeliveryAttempt] = []
    for party, count in zip(people, per_party, strict=True):
        delivery = Delivery(
            case=case, party=party, status=DeliveryStatus.in_progress, deadline=case.service_deadline
        )
        delivery.documents.extend(documents)
        session.add(delivery)
        for index in range(count):
            method = METHODS[(index + party.id) % len(METHODS)] if index else DeliveryMethod.phone
            last = index == count - 1
            started = utcnow() - timedelta(days=count - index, hours=2)
            attempt = DeliveryAttempt(
                delivery=delivery,
                method=method,
                status=AttemptStatus.succeeded if last else AttemptStatus.failed,
                outcome=AttemptOutcome.served if last else AttemptOutcome.no_answer,
                performed_by_user_id=agent.id,
                planned_at=started - timedelta(hours=1),
                started_at=started,
                ended_at=started + timedelta(minutes=5),
                notes=None if last else "未能送达，已安排下一种方式",
            )
            session.add(attempt)
            session.flush()
            world.attempt_ids.append(attempt.id)
            for key, value in FACTS[method]:
                _fact(session, case, attempt, key, value)
            if method is DeliveryMethod.phone:
                phone_attempts.append(attempt)
            if last and len(world.proof_evidence_ids) < 3:
                _proof(session, world, case, attempt, party.name)
    for index in range(calls):
        _call(session, world, phone_attempts[index % len(phone_attempts)], agent, audio)
    session.flush()
    return world
