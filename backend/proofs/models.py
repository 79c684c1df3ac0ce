from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.database import Base, utcnow


class ProofOfService(Base):
    """A generated proof of service (送达回证) of one attempt, fixed to the chain head it covers."""

    __tablename__ = "proof_of_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("delivery_attempt.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    chain_seq: Mapped[int]  # the last chain entry the proof lists
    chain_head_hash: Mapped[str] = mapped_column(String(64))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))  # the PDF itself
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
