from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.database import Base, enum_column, utcnow
from backend.evidence.enums import EvidenceKind


class Evidence(Base):
    """One evidence item of a case: a stored file fixed by its sha256, with who made it and when."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    file_path: Mapped[str] = mapped_column(String(500))  # relative to the evidence dir
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    content_type: Mapped[str | None] = mapped_column(String(100))
    metadata_json: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_system: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # case:kind:sha256:attempt; unique, so a retried task never stores the same item twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)


class EvidenceChainEntry(Base):
    """One link of a case's append-only hash chain; `entry_hash` covers the item and the previous link."""

    __tablename__ = "evidence_chain_entry"
    __table_args__ = (UniqueConstraint("case_id", "seq"), UniqueConstraint("evidence_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    seq: Mapped[int]
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_attempt.id"))
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    item_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    created_at: Mapped[datetime]
    prev_entry_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), index=True)
