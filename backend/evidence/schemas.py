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


class MediaLinkRead(BaseModel):
    """A signed link to one evidence file for the caller, until EXPIRES_AT."""

    url: str
    expires_at: datetime
