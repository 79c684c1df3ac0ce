from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from backend.intake.enums import JOB_STATUS_LABELS, JobStatus


class RowIssueRead(BaseModel):
    """A problem in the file: row None is the file itself."""

    row: int | None
    column: str | None
    value: str | None
    message: str


class ImportAccepted(BaseModel):
    id: int
    status: JobStatus


class ImportJobBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    file_sha256: str
    status: JobStatus
    court_code: str | None
    dry_run: bool
    valid_cases_only: bool
    total_rows: int
    processed_rows: int
    summary: dict[str, Any]
    created_by_user_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return JOB_STATUS_LABELS[self.status]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def progress(self) -> float:
        """Share of rows validated, 0..1 (writing follows validation)."""
        return round(self.processed_rows / self.total_rows, 4) if self.total_rows else 0.0


class ImportJobRead(ImportJobBrief):
    errors: list[RowIssueRead]
    warnings: list[RowIssueRead]
