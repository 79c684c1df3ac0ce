"""What the writer receives (a validated export) and what it reports back (counts)."""

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from backend.intake.crossrows import CaseRecord
from backend.intake.documents import DocumentKey
from backend.intake.enums import Column
from backend.intake.filestore import StoredFile
from backend.intake.issues import RowIssue
from backend.intake.validation import PartyRecord


@dataclass(slots=True)
class ImportPlan:
    court_code: str
    court_name: str
    columns: frozenset[Column]  # an absent optional column leaves its fields as they are
    cases: dict[str, CaseRecord]
    parties: list[PartyRecord]
    files: dict[DocumentKey, StoredFile]
    now: datetime
    job_id: int | None = None
    actor_user_id: int | None = None

    @property
    def event_note(self) -> str:
        return f"法院导出（导入任务#{self.job_id}）" if self.job_id else "法院导出"


@dataclass(slots=True)
class ImportCounts:
    rows: int = 0
    cases_created: int = 0
    cases_updated: int = 0
    parties_created: int = 0
    parties_updated: int = 0
    contact_points_added: int = 0
    contact_points_retired: int = 0
    contact_points_relisted: int = 0
    documents_created: int = 0
    documents_updated: int = 0
    files_attached: int = 0
    deliveries_created: int = 0
    deliveries_updated: int = 0
    warnings: list[RowIssue] = field(default_factory=list)

    def as_summary(self) -> dict[str, Any]:
        summary = asdict(self)
        summary["warnings"] = len(self.warnings)
        return summary

    @property
    def changes(self) -> int:
        """How many rows were inserted or updated (0 for a re-import of the same file)."""
        return sum(value for name, value in self.as_summary().items() if name not in ("rows", "warnings"))


SUMMARY_LABELS = {
    "rows": "数据行",
    "cases_created": "新建案件",
    "cases_updated": "更新案件",
    "parties_created": "新建当事人",
    "parties_updated": "更新当事人",
    "contact_points_added": "新增联系方式",
    "contact_points_retired": "停用联系方式",
    "contact_points_relisted": "恢复联系方式",
    "documents_created": "新建文书",
    "documents_updated": "更新文书",
    "files_attached": "关联文书文件",
    "deliveries_created": "新建送达任务",
    "deliveries_updated": "更新送达任务",
    "warnings": "警告",
    "cases_refused": "被拒的案件",
    "rows_refused": "被拒的数据行",
}
