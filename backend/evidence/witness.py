"""A second record of every committed chain entry, kept as files beside the evidence.

A hash chain alone cannot show that its last entries were cut off together with their items;
the witness files can: verification demands that every witnessed entry is still in the database.
Lines are appended only after the database transaction commits, so a rollback leaves no trace.
"""

import json
import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from backend.evidence.models import EvidenceChainEntry
from backend.evidence.storage import evidence_root

_PENDING_KEY = "songda_chain_witness_pending"


def witness_path(case_id: int) -> Path:
    return evidence_root() / "chain-witness" / f"case-{case_id}.jsonl"


def remember(*, db_session: Session, entry: EvidenceChainEntry) -> None:
    """Queue ENTRY to be witnessed when DB_SESSION commits."""
    pending = db_session.info.setdefault(_PENDING_KEY, [])
    pending.append((entry.case_id, entry.seq, entry.entry_hash))


def _append_line(case_id: int, seq: int, entry_hash: str) -> None:
    path = witness_path(case_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"seq": seq, "entry_hash": entry_hash}) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line.encode())  # one write with O_APPEND: lines never interleave
    finally:
        os.close(descriptor)


@event.listens_for(Session, "after_commit")
def _write_pending(session: Session) -> None:
    for case_id, seq, entry_hash in session.info.pop(_PENDING_KEY, []):
        _append_line(case_id, seq, entry_hash)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def witnessed_entries(case_id: int) -> dict[int, str]:
    """Seq -> entry hash of every witnessed entry of the case."""
    path = witness_path(case_id)
    if not path.exists():
        return {}
    entries: dict[int, str] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            entries[int(record["seq"])] = str(record["entry_hash"])
    return entries


def witnessed_case_ids() -> list[int]:
    folder = evidence_root() / "chain-witness"
    if not folder.exists():
        return []
    return sorted(int(path.stem.removeprefix("case-")) for path in folder.glob("case-*.jsonl"))
