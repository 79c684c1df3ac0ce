"""Recording the facts of an attempt, each resting on an evidence item of the same case in its chain.

Facts are write-once: recording the same value again (a retried request, a redelivered report) returns
the existing fact; a different value for a fact already recorded is refused, so a proof never changes
what it rests on after the fact.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.errors import InvalidRequest, RuleViolation
from backend.deliveries.models import AttemptFact, DeliveryAttempt, attempt_evidence
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence, EvidenceChainEntry


def fact_text(value: Any) -> str:
    """The stored form of a fact value: ISO text for moments and dates, 是/否 for booleans."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def in_chain(*, db_session: Session, evidence: Evidence) -> bool:
    """True when EVIDENCE is in its case's chain with the hash it has now."""
    chained = select(EvidenceChainEntry.item_sha256).where(EvidenceChainEntry.evidence_id == evidence.id)
    return db_session.scalar(chained) == evidence.sha256


def _check_evidence(db_session: Session, attempt: DeliveryAttempt, evidence: Evidence) -> None:
    if evidence.case_id != attempt.delivery.case_id:
        raise InvalidRequest(f"证据 #{evidence.id} 不属于本案，不能作为送达要件的依据")
    if evidence.kind is EvidenceKind.proof_pdf:
        raise InvalidRequest("送达回证本身不能作为送达要件的依据")
    if not in_chain(db_session=db_session, evidence=evidence):
        raise InvalidRequest(f"证据 #{evidence.id} 未登记在证据链中，不能作为送达要件的依据")


def _link(db_session: Session, attempt: DeliveryAttempt, evidence: Evidence) -> None:
    linked = select(attempt_evidence.c.evidence_id).where(
        attempt_evidence.c.attempt_id == attempt.id, attempt_evidence.c.evidence_id == evidence.id
    )
    if db_session.scalar(linked) is None:
        db_session.execute(insert(attempt_evidence).values(attempt_id=attempt.id, evidence_id=evidence.id))


def record_fact(
    *,
    db_session: Session,
    attempt: DeliveryAttempt,
    key: str,
    value: Any,
    evidence: Evidence,
    actor: User | None = None,
    system: str | None = None,
) -> AttemptFact:
    """Record fact KEY=VALUE of ATTEMPT resting on EVIDENCE; the same fact again returns the first."""
    if value is None or fact_text(value).strip() == "":
        raise InvalidRequest(f"送达要件「{key}」不能为空")
    _check_evidence(db_session, attempt, evidence)
    text = fact_text(value)
    query = select(AttemptFact).where(AttemptFact.attempt_id == attempt.id, AttemptFact.key == key)
    existing = db_session.scalars(query).first()
    if existing is not None:
        if (existing.value, existing.evidence_id) != (text, evidence.id):
            raise RuleViolation(f"送达要件「{key}」已登记，不能更改")
        return existing
    _link(db_session, attempt, evidence)
    fact = AttemptFact(
        attempt_id=attempt.id,
        key=key,
        value=text,
        evidence_id=evidence.id,
        recorded_by_user_id=actor.id if actor else None,
        recorded_by_system=system if actor is None else None,
    )
    db_session.add(fact)
    db_session.flush()
    return fact
