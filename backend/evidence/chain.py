"""Each case's append-only hash chain of evidence items (one entry per item, linked by hashes)."""

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.cases.models import Case
from backend.evidence import witness
from backend.evidence.models import Evidence, EvidenceChainEntry

GENESIS_HASH = "0" * 64
CHAIN_FORMAT = "songda-evidence-chain/1"


def format_timestamp(moment: datetime) -> str:
    """UTC with microseconds: the form every backend round-trips unchanged."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(entry: EvidenceChainEntry) -> bytes:
    """The exact bytes `entry_hash` is computed over: sorted-key compact JSON in UTF-8."""
    fields = {
        "format": CHAIN_FORMAT,
        "case_id": entry.case_id,
        "seq": entry.seq,
        "evidence_id": entry.evidence_id,
        "attempt_id": entry.attempt_id,
        "kind": str(entry.kind),
        "item_sha256": entry.item_sha256,
        "size_bytes": entry.size_bytes,
        "created_at": format_timestamp(entry.created_at),
        "prev_entry_hash": entry.prev_entry_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_entry_hash(entry: EvidenceChainEntry) -> str:
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


def chain_head(*, db_session: Session, case_id: int) -> EvidenceChainEntry | None:
    """The case's last chain entry, or None for an empty chain."""
    query = (
        select(EvidenceChainEntry)
        .where(EvidenceChainEntry.case_id == case_id)
        .order_by(EvidenceChainEntry.seq.desc())
        .limit(1)
    )
    return db_session.scalars(query).first()


def case_entries(
    *, db_session: Session, case_id: int, upto_seq: int | None = None
) -> list[EvidenceChainEntry]:
    query = select(EvidenceChainEntry).where(EvidenceChainEntry.case_id == case_id)
    if upto_seq is not None:
        query = query.where(EvidenceChainEntry.seq <= upto_seq)
    return list(db_session.scalars(query.order_by(EvidenceChainEntry.seq, EvidenceChainEntry.id)))


def lock_case_chain(*, db_session: Session, case_id: int) -> None:
    """Serialise appends to one case's chain until the transaction ends.

    PostgreSQL: a row lock on the case (FOR NO KEY UPDATE, so foreign-key checks of concurrent
    inserts are not blocked). SQLite ignores it; there the first INSERT of the transaction takes the
    database's single write lock, and store_evidence inserts the item before reading the head.
    The unique (case_id, seq) constraint refuses a fork on any backend.
    """
    query = select(Case.id).where(Case.id == case_id).with_for_update(key_share=True)
    if db_session.execute(query).first() is None:
        raise LookupError(f"案件不存在: {case_id}")


def append_entry(*, db_session: Session, evidence: Evidence, attempt_id: int | None) -> EvidenceChainEntry:
    """Link EVIDENCE (already flushed) to the end of its case's chain; the caller holds the chain lock."""
    head = chain_head(db_session=db_session, case_id=evidence.case_id)
    entry = EvidenceChainEntry(
        case_id=evidence.case_id,
        seq=head.seq + 1 if head else 1,
        evidence_id=evidence.id,
        attempt_id=attempt_id,
        kind=evidence.kind,
        item_sha256=evidence.sha256,
        size_bytes=evidence.size_bytes,
        created_at=evidence.created_at,
        prev_entry_hash=head.entry_hash if head else GENESIS_HASH,
    )
    entry.entry_hash = compute_entry_hash(entry)
    db_session.add(entry)
    db_session.flush()
    witness.remember(db_session=db_session, entry=entry)
    return entry
