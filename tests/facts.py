"""Shared test helper: record the facts a channel requires, as the channel's own records would.

Each fact rests on its own JSON evidence item stored through the real evidence store (so it is in the
case's chain), and is recorded through the real fact service; serving then goes through the channel.
"""

import json
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.deliveries import serving
from backend.deliveries.channels import channel_for
from backend.deliveries.enums import AttemptOutcome
from backend.deliveries.models import DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import record_fact
from backend.evidence.service import store_evidence

MOMENT = datetime(2026, 3, 5, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
SAMPLE_VALUES: dict[str, object] = {
    "published_on": "2026-01-05",
    "address_confirmed": True,
    "mileage_km": 12.4,
    "gps": "116.3655,39.9123 ±8 米",
}


def sample_value(key: str) -> object:
    if key in SAMPLE_VALUES:
        return SAMPLE_VALUES[key]
    return MOMENT if key.endswith("_at") else f"测试记录：{key}"


def record_required_facts(
    session: Session,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome = AttemptOutcome.served,
    *,
    skip: frozenset[str] = frozenset(),
    values: dict[str, object] | None = None,
) -> list[int]:
    """Record every fact OUTCOME requires of ATTEMPT except SKIP; returns the evidence ids used."""
    evidence_ids = []
    for required in channel_for(attempt.method).required_facts(outcome):
        if required.key in skip:
            continue
        value = (values or {}).get(required.key, sample_value(required.key))
        content = json.dumps({"fact": required.key, "value": str(value)}, ensure_ascii=False).encode()
        item = store_evidence(
            db_session=session,
            case_id=attempt.delivery.case_id,
            kind=EvidenceKind.other,
            content=content,
            content_type="application/json",
            created_by_system="test",
            attempt_id=attempt.id,
        )
        record_fact(
            db_session=session, attempt=attempt, key=required.key, value=value, evidence=item, system="test"
        )
        evidence_ids.append(item.id)
    return evidence_ids


def serve_with_facts(
    session: Session,
    attempt: DeliveryAttempt,
    actor: User | None,
    outcome: AttemptOutcome = AttemptOutcome.served,
) -> DeliveryAttempt:
    """Record the facts, then serve through the channel (the attempt must be in progress)."""
    record_required_facts(session, attempt, outcome)
    return serving.serve_attempt(db_session=session, actor=actor, attempt=attempt, outcome=outcome)
