from datetime import datetime

from pydantic import BaseModel, ConfigDict


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


class AddressConfirmationPdfCreate(BaseModel):
    evidence_id: int  # the signed confirmation record (送达地址确认书, JSON)


class AddressConfirmationPdfRead(BaseModel):
    evidence_id: int  # the PDF, readable at /api/evidence/{id}/content
    sha256: str
