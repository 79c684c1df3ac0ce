"""Recompute a case's chain and re-hash its files: every edit, removal or reordering shows up."""

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.deliveries.models import attempt_evidence
from backend.evidence import chain, storage, witness
from backend.evidence.models import Evidence, EvidenceChainEntry


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding; `code` is stable for programs, `message` is for people."""

    code: str
    message: str
    seq: int | None = None
    evidence_id: int | None = None


@dataclass(slots=True)
class VerificationReport:
    case_id: int
    entries_checked: int = 0
    files_checked: int = 0
    head_seq: int = 0
    head_hash: str = chain.GENESIS_HASH
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


class _FileHashes:
    """Hashes each stored file once per verification run (items may share content)."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[str, int] | None] = {}

    def get(self, relative_path: str) -> tuple[str, int] | None:
        if relative_path not in self._known:
            self._known[relative_path] = _hash_or_none(storage.absolute_path(relative_path))
        return self._known[relative_path]


def _hash_or_none(path: Path) -> tuple[str, int] | None:
    try:
        return storage.hash_file(path)
    except (FileNotFoundError, IsADirectoryError):
        return None


def _link_problems(entry: EvidenceChainEntry, position: int, prev_hash: str) -> list[Problem]:
    found = []
    if entry.seq != position:
        found.append(
            Problem("seq_gap", f"第 {position} 条应为序号 {position}，实为 {entry.seq}（条目缺失或顺序被改）")
        )
    if entry.prev_entry_hash != prev_hash:
        found.append(Problem("broken_link", f"序号 {entry.seq} 的前序哈希与上一条不符（链条断裂）"))
    if chain.compute_entry_hash(entry) != entry.entry_hash:
        found.append(Problem("entry_edited", f"序号 {entry.seq} 的条目内容与其哈希不符（条目被修改）"))
    return [Problem(p.code, p.message, seq=entry.seq, evidence_id=entry.evidence_id) for p in found]


def _row_matches(entry: EvidenceChainEntry, item: Evidence) -> bool:
    return (
        item.case_id == entry.case_id
        and item.kind == entry.kind
        and item.sha256 == entry.item_sha256
        and item.size_bytes == entry.size_bytes
        and chain.format_timestamp(item.created_at) == chain.format_timestamp(entry.created_at)
    )


def _item_problems(
    db_session: Session, entry: EvidenceChainEntry, hashes: _FileHashes, report: VerificationReport
) -> list[Problem]:
    item = db_session.get(Evidence, entry.evidence_id)
    where = {"seq": entry.seq, "evidence_id": entry.evidence_id}
    if item is None:
        return [Problem("item_row_missing", f"证据 #{entry.evidence_id} 的记录已被删除", **where)]
    found = []
    if not _row_matches(entry, item):
        found.append(Problem("item_row_edited", f"证据 #{item.id} 的记录与链条目不符（记录被修改）", **where))
    if entry.attempt_id is not None and not _attempt_link_exists(db_session, entry):
        found.append(Problem("attempt_link_missing", f"证据 #{item.id} 与送达尝试的关联已被删除", **where))
    report.files_checked += 1
    actual = hashes.get(item.file_path)
    if actual is None:
        found.append(Problem("file_missing", f"证据 #{item.id} 的文件已缺失", **where))
    elif actual != (entry.item_sha256, entry.size_bytes):
        found.append(
            Problem("file_altered", f"证据 #{item.id} 的文件内容与登记的 SHA-256 不符（文件被改动）", **where)
        )
    return found


def _attempt_link_exists(db_session: Session, entry: EvidenceChainEntry) -> bool:
    query = select(attempt_evidence.c.evidence_id).where(
        attempt_evidence.c.attempt_id == entry.attempt_id, attempt_evidence.c.evidence_id == entry.evidence_id
    )
    return db_session.execute(query).first() is not None


def _unchained_items(db_session: Session, case_id: int, chained: set[int]) -> list[Problem]:
    ids = db_session.scalars(select(Evidence.id).where(Evidence.case_id == case_id).order_by(Evidence.id))
    return [
        Problem("item_unchained", f"证据 #{item_id} 未登记在证据链中", evidence_id=item_id)
        for item_id in ids
        if item_id not in chained
    ]


def _witness_problems(case_id: int, entries: list[EvidenceChainEntry], upto_seq: int | None) -> list[Problem]:
    by_seq = {entry.seq: entry.entry_hash for entry in entries}
    return [
        Problem("entry_missing", f"序号 {seq} 的条目已不在数据库中或已被替换（链被截断或改写）", seq=seq)
        for seq, entry_hash in sorted(witness.witnessed_entries(case_id).items())
        if (upto_seq is None or seq <= upto_seq) and by_seq.get(seq) != entry_hash
    ]


def verify_case_chain(
    *, db_session: Session, case_id: int, upto_seq: int | None = None
) -> VerificationReport:
    """Check every entry (or those up to UPTO_SEQ), its item row and its file."""
    report = VerificationReport(case_id=case_id)
    entries = chain.case_entries(db_session=db_session, case_id=case_id, upto_seq=upto_seq)
    hashes = _FileHashes()
    prev_hash = chain.GENESIS_HASH
    for position, entry in enumerate(entries, start=1):
        report.problems += _link_problems(entry, position, prev_hash)
        report.problems += _item_problems(db_session, entry, hashes, report)
        prev_hash = entry.entry_hash
        report.entries_checked += 1
    if entries:
        report.head_seq, report.head_hash = entries[-1].seq, entries[-1].entry_hash
    if upto_seq is None:
        report.problems += _unchained_items(db_session, case_id, {entry.evidence_id for entry in entries})
    report.problems += _witness_problems(case_id, entries, upto_seq)
    return report


def cases_with_evidence(*, db_session: Session) -> list[int]:
    """Every case that has items, chain entries or witnessed entries."""
    ids = set(db_session.scalars(select(Evidence.case_id).distinct()))
    ids |= set(db_session.scalars(select(EvidenceChainEntry.case_id).distinct()))
    ids |= set(witness.witnessed_case_ids())
    return sorted(ids)
