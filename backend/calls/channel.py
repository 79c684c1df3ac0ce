"""The phone channel (电话送达): an attempt serves only through an answered call that was fully recorded.

Its facts come from the call record (numbers, times, agent: filed as a 通话记录 evidence item when the
attempt is served) and from the recordings themselves (the whole call, and the party's own leg for what
the party answered). A call without a complete recording never serves.
"""

import json
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.calls.enums import CallOutcome, RecordingStatus
from backend.calls.models import CallRecord
from backend.core.errors import RuleViolation
from backend.deliveries.channels import DeliveryChannel, RequiredFact, register
from backend.deliveries.enums import AttemptOutcome, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.documents.enums import NOT_SERVABLE_BY_PHONE
from backend.evidence import service as evidence_service
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import record_fact
from backend.evidence.models import Evidence
from backend.parties.enums import ContactKind

PHONE_FACTS = (
    RequiredFact("number_dialled", "拨打号码"),
    RequiredFact("connected_number", "接听号码"),
    RequiredFact("call_started_at", "呼叫开始时间"),
    RequiredFact("answered_at", "接听时间"),
    RequiredFact("call_ended_at", "通话结束时间"),
    RequiredFact("agent", "送达人员"),
    RequiredFact("recording", "通话全程录音"),
    RequiredFact("party_answer", "当事人答复（当事人声道录音）"),
)


def recorded_answered_call(*, db_session: Session, attempt_id: int) -> CallRecord | None:
    """The attempt's last answered call whose recording is complete."""
    query = (
        select(CallRecord)
        .where(
            CallRecord.delivery_attempt_id == attempt_id,
            CallRecord.outcome == CallOutcome.answered,
            CallRecord.recording_status == RecordingStatus.complete,
            CallRecord.mix_evidence_id.is_not(None),
        )
        .order_by(CallRecord.id.desc())
    )
    return db_session.scalars(query).first()


def _call_record_evidence(db_session: Session, record: CallRecord) -> Evidence:
    content: dict[str, Any] = {
        "type": "call_record",
        "call_id": record.call_id,
        "number_dialled": record.number_dialled,
        "connected_number": record.connected_number,
        "originated_at": record.originated_at.isoformat() if record.originated_at else None,
        "answered_at": record.answered_at.isoformat() if record.answered_at else None,
        "ended_at": record.ended_at.isoformat() if record.ended_at else None,
        "talk_seconds": record.talk_seconds,
        "hangup_cause": record.hangup_cause_text,
        "agent": {
            "id": record.agent.id,
            "username": record.agent.username,
            "full_name": record.agent.full_name,
        },
        "recordings": {
            "mix": record.mix_evidence_id,
            "agent": record.agent_evidence_id,
            "party": record.party_evidence_id,
        },
    }
    return evidence_service.store_evidence(
        db_session=db_session,
        case_id=record.delivery_attempt.delivery.case_id,
        kind=EvidenceKind.call_record,
        content_type="application/json",
        content=json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True).encode(),
        metadata={"type": "call_record", "call_id": record.call_id},
        created_by_system="telephony",
        attempt_id=record.delivery_attempt_id,
    )


class PhoneChannel(DeliveryChannel):
    method = DeliveryMethod.phone
    proof_title = "电话送达记录 / 送达回证"
    contact_kinds = (ContactKind.phone,)
    facts_by_outcome = MappingProxyType({AttemptOutcome.served: PHONE_FACTS})
    service_moments = ("answered_at",)

    def check_documents(self, delivery: Delivery) -> None:
        if any(document.kind in NOT_SERVABLE_BY_PHONE for document in delivery.documents):
            raise RuleViolation("判决书、裁定书、调解书不能电话送达")

    def gather_facts(self, *, db_session: Session, attempt: DeliveryAttempt, actor: User | None) -> None:
        record = recorded_answered_call(db_session=db_session, attempt_id=attempt.id)
        if record is None:
            return
        call_evidence = _call_record_evidence(db_session, record)
        mix = db_session.get_one(Evidence, record.mix_evidence_id)
        party = db_session.get(Evidence, record.party_evidence_id) if record.party_evidence_id else None
        from_call = {
            "number_dialled": record.number_dialled,
            "connected_number": record.connected_number,
            "call_started_at": record.dialled_at or record.originated_at,
            "answered_at": record.answered_at,
            "call_ended_at": record.ended_at,
            "agent": f"{record.agent.full_name}（{record.agent.username}）",
        }
        for key, value in from_call.items():
            if value is not None:
                self._record(db_session, attempt, key, value, call_evidence)
        self._record(db_session, attempt, "recording", f"{record.recording_seconds or 0:.1f} 秒", mix)
        if party is not None:
            self._record(db_session, attempt, "party_answer", "见当事人声道录音", party)

    @staticmethod
    def _record(
        db_session: Session, attempt: DeliveryAttempt, key: str, value: Any, evidence: Evidence
    ) -> None:
        record_fact(
            db_session=db_session,
            attempt=attempt,
            key=key,
            value=value,
            evidence=evidence,
            system="telephony",
        )


register(PhoneChannel())
