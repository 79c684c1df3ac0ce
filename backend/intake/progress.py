"""Progress of an import, told to a listener (the CLI's bar) and written to its job for the API.

The job row is updated in short transactions of their own, and only during reading and validation:
the write phase holds SQLite's single write lock, so it is reported once, as status "writing".
"""

import time

from sqlalchemy import update

from backend.database import get_session, utcnow
from backend.intake.enums import JobStatus
from backend.intake.models import ImportJob

# At most this often the processed-row count is written while rows are validated.
PROGRESS_WRITE_SECONDS = 0.25


class ProgressListener:
    """Receives progress; the default ignores it."""

    def phase(self, status: JobStatus, label: str) -> None:
        return None

    def total(self, rows: int) -> None:
        return None

    def rows_done(self, rows: int) -> None:
        return None

    def step_done(self, label: str) -> None:
        return None


class JobProgress(ProgressListener):
    """Forwards to LISTENER and keeps the job's status and processed rows current, throttled."""

    def __init__(self, job_id: int, listener: ProgressListener | None = None) -> None:
        self.job_id = job_id
        self.listener = listener or ProgressListener()
        self._last_write = 0.0
        self._total = 0

    def _save(self, **values: object) -> None:
        with get_session() as session:
            session.execute(update(ImportJob).where(ImportJob.id == self.job_id).values(**values))
        self._last_write = time.monotonic()

    def phase(self, status: JobStatus, label: str) -> None:
        values: dict[str, object] = {"status": status.value}
        if status is JobStatus.validating:
            values["started_at"] = utcnow()
        if status is JobStatus.writing:
            values["processed_rows"] = self._total
        self._save(**values)
        self.listener.phase(status, label)

    def total(self, rows: int) -> None:
        self._total = rows
        self._save(total_rows=rows, processed_rows=0)
        self.listener.total(rows)

    def rows_done(self, rows: int) -> None:
        if rows == self._total or time.monotonic() - self._last_write >= PROGRESS_WRITE_SECONDS:
            self._save(processed_rows=rows)
        self.listener.rows_done(rows)

    def step_done(self, label: str) -> None:
        self.listener.step_done(label)
