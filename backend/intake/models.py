from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from backend.database import Base, utcnow


class ImportJob(Base):
    """One upload of a court export: its progress, row errors and what it created."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued/validating/writing/done/failed
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Where the worker finds the upload (kept as the record of what the court sent) and how to run it.
    source_path: Mapped[str | None] = mapped_column(String(500))
    documents_path: Mapped[str | None] = mapped_column(String(500))
    court_code: Mapped[str | None] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(default=False)
    # Import the cases without errors, refuse the others, each case whole (default: whole file or nothing)
    valid_cases_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    started_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
