from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from backend.evidence.enums import EvidenceKind


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    kind: EvidenceKind
    sha256: str
    size_bytes: int
    content_type: str | None
    metadata_json: dict[str, Any]
    created_by_user_id: int | None
    created_by_system: str | None
    created_at: datetime


class ProblemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    message: str
    seq: int | None
    evidence_id: int | None


class VerificationRead(BaseModel):
    case_id: int
    case_number: str
    intact: bool
    entries_checked: int
    files_checked: int
    head_seq: int
    head_hash: str
    problems: list[ProblemRead]


class ProofCreate(BaseModel):
    attempt_id: int


class ProofRead(BaseModel):
    proof_id: int
    attempt_id: int
    evidence_id: int
    chain_seq: int
    chain_head_hash: str
    verify_url: str


class ProofCheckRead(BaseModel):
    """The public answer for a proof's QR code: no personal data."""

    model_config = ConfigDict(from_attributes=True)

    proof_id: int
    intact: bool
    generated_at: datetime
    entries_checked: int
    checked_at: datetime
