"""Storing evidence items: write-once files, one row each, every item appended to its case's chain."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.database import utcnow
from backend.deliveries.models import Delivery, DeliveryAttempt, attempt_evidence
from backend.evidence import chain, storage
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence


class EvidenceError(ValueError):
    """A request to store evidence that cannot be honoured."""


def idempotency_key(*, case_id: int, kind: EvidenceKind, sha256: str, attempt_id: int | None) -> str:
    return f"{case_id}:{kind.value}:{sha256}:{attempt_id if attempt_id is not None else '-'}"


def _put(content: bytes | None, source_path: Path | None) -> storage.StoredFile:
    if (content is None) == (source_path is None):
        raise EvidenceError("须提供文件路径或文件内容之一")
    if source_path is not None:
        return storage.put_file(Path(source_path))
    assert content is not None
    return storage.put_bytes(content)


def _check_creator(created_by_user: User | None, created_by_system: str | None) -> None:
    if created_by_user is None and created_by_system is None:
        raise EvidenceError("须注明证据由哪个用户或哪个系统产生")


def _check_attempt(db_session: Session, *, case_id: int, attempt_id: int) -> None:
    query = (
        select(Delivery.case_id)
        .join(DeliveryAttempt, DeliveryAttempt.delivery_id == Delivery.id)
        .where(DeliveryAttempt.id == attempt_id)
    )
    attempt_case_id = db_session.scalar(query)
    if attempt_case_id != case_id:
        raise EvidenceError(f"送达尝试 {attempt_id} 不属于案件 {case_id}")


def store_evidence(
    *,
    db_session: Session,
    case_id: int,
    kind: EvidenceKind,
    content_type: str | None,
    source_path: Path | None = None,
    content: bytes | None = None,
    metadata: dict[str, Any] | None = None,
    created_by_user: User | None = None,
    created_by_system: str | None = None,
    attempt_id: int | None = None,
) -> Evidence:
    """Store one item and chain it; the same case+kind+content+attempt returns the existing item."""
    _check_creator(created_by_user, created_by_system)
    if attempt_id is not None:
        _check_attempt(db_session, case_id=case_id, attempt_id=attempt_id)
    stored = _put(content, source_path)  # content-addressed: harmless if the transaction rolls back
    key = idempotency_key(case_id=case_id, kind=kind, sha256=stored.sha256, attempt_id=attempt_id)
    chain.lock_case_chain(db_session=db_session, case_id=case_id)
    existing = db_session.scalars(select(Evidence).where(Evidence.idempotency_key == key)).first()
    if existing is not None:
        return existing
    evidence = Evidence(
        case_id=case_id,
        kind=kind,
        file_path=stored.relative_path,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        content_type=content_type,
        metadata_json=dict(metadata or {}),
        created_by_user_id=created_by_user.id if created_by_user else None,
        created_by_system=created_by_system,
        created_at=utcnow(),
        idempotency_key=key,
    )
    db_session.add(evidence)
    db_session.flush()
    if attempt_id is not None:
        db_session.execute(insert(attempt_evidence).values(attempt_id=attempt_id, evidence_id=evidence.id))
    chain.append_entry(db_session=db_session, evidence=evidence, attempt_id=attempt_id)
    return evidence


def get_evidence(*, db_session: Session, evidence_id: int) -> Evidence | None:
    return db_session.get(Evidence, evidence_id)


def case_evidence(*, db_session: Session, case_id: int) -> list[Evidence]:
    return list(db_session.scalars(select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.id)))


def attempt_evidence_items(*, db_session: Session, attempt_id: int) -> list[Evidence]:
    """The items linked to an attempt, oldest first."""
    query = (
        select(Evidence)
        .join(attempt_evidence, attempt_evidence.c.evidence_id == Evidence.id)
        .where(attempt_evidence.c.attempt_id == attempt_id)
        .order_by(Evidence.id)
    )
    return list(db_session.scalars(query))


def read_json(evidence: Evidence) -> Any:
    """The parsed JSON content of a stored item (transcripts, tracking logs)."""
    return json.loads(storage.absolute_path(evidence.file_path).read_bytes())


def read_text(evidence: Evidence) -> str:
    return storage.absolute_path(evidence.file_path).read_text(encoding="utf-8", errors="replace")
