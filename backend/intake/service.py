"""Import jobs: a court export is validated whole, then written whole in one transaction, or not at all;
or, when the clerk asks for the valid cases only, its cases without errors are written (each case whole)
and the others are listed as refused."""

import getpass
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import backend.models  # noqa: F401  (every mapper registered: workers and the CLI import only this)
from backend.audit import service as audit_service
from backend.auth.models import User
from backend.auth.roles import Role
from backend.config import get_settings
from backend.courts.models import Court
from backend.database import get_session, session_factory, utcnow
from backend.evidence import storage
from backend.intake.analysis import Analysis, analyse_export, open_documents, store_files
from backend.intake.documents import DocumentSource
from backend.intake.enums import FINISHED_STATUSES, JobStatus
from backend.intake.issues import MAX_REPORTED_ISSUES, FileRejected, RowIssue, issues_as_dicts
from backend.intake.models import ImportJob
from backend.intake.plan import ImportCounts, ImportPlan
from backend.intake.progress import JobProgress, ProgressListener
from backend.intake.vocabulary import is_court_code
from backend.intake.writer import write_plan

logger = logging.getLogger(__name__)
# One import writes at a time in this process: SQLite has a single writer, and imports are rare.
_WRITE_LOCK = threading.Lock()
CONCURRENT_IMPORT = "其他导入同时写入了相同的案件或当事人，未写入任何数据，请重新导入"


@dataclass(slots=True, frozen=True)
class JobParams:
    job_id: int
    source: Path
    documents: Path | None
    court_code: str
    dry_run: bool
    actor_user_id: int | None
    valid_cases_only: bool = False


def court_name(code: str) -> str:
    """The name a court gets when an import creates it."""
    settings = get_settings()
    return settings.default_court_name if code == settings.default_court_code else f"法院（{code}）"


def create_job(
    *,
    db_session: Session,
    filename: str,
    source_path: Path,
    documents_path: Path | None = None,
    court_code: str | None = None,
    dry_run: bool = False,
    user: User | None = None,
    valid_cases_only: bool = False,
) -> ImportJob:
    """A queued import of the export at SOURCE_PATH (the court defaults to the configured one)."""
    code = court_code or get_settings().default_court_code
    if not is_court_code(code):
        raise ValueError(f"法院代码「{code}」格式不正确，应如京0102")
    job = ImportJob(
        filename=filename[:300],
        file_sha256=storage.hash_file(source_path)[0],
        status=JobStatus.queued.value,
        source_path=str(source_path),
        documents_path=str(documents_path) if documents_path else None,
        court_code=code,
        dry_run=dry_run,
        valid_cases_only=valid_cases_only,
        created_by_user_id=user.id if user else None,
    )
    db_session.add(job)
    db_session.flush()
    return job


def run_job(*, job_id: int, listener: ProgressListener | None = None) -> ImportJob:
    """Validate the job's file, then write it (or, for a dry run, roll the writes back)."""
    with get_session() as session:
        job = session.get_one(ImportJob, job_id)
        if job.status in FINISHED_STATUSES:
            return job  # delivered twice (the queue acknowledges late): it already ran
        params = JobParams(
            job_id=job.id,
            source=Path(job.source_path or ""),
            documents=Path(job.documents_path) if job.documents_path else None,
            court_code=job.court_code or get_settings().default_court_code,
            dry_run=job.dry_run,
            actor_user_id=job.created_by_user_id,
            valid_cases_only=job.valid_cases_only,
        )
    progress = JobProgress(job_id, listener)
    progress.phase(JobStatus.validating, "读取与校验")
    documents: DocumentSource | None = None
    try:
        documents = open_documents(params.documents)
        analysis = analyse_export(
            source=params.source,
            documents=documents,
            court_code=params.court_code,
            progress=progress,
            valid_cases_only=params.valid_cases_only,
        )
        if analysis.errors and not (params.valid_cases_only and analysis.content.cases):
            return _finish_failed(params, analysis.errors, analysis.warnings, analysis.total_rows)
        with _WRITE_LOCK:
            progress.phase(JobStatus.writing, "写入数据库")
            return _write(params, analysis, documents, progress)
    except FileRejected as exc:
        return _finish_failed(params, exc.issues, [], 0)
    except IntegrityError:
        logger.exception("import job %s collided with another write", job_id)
        return _finish_failed(params, [RowIssue(None, None, None, CONCURRENT_IMPORT)], [], 0)
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        message = f"导入时发生内部错误，未写入任何数据：{type(exc).__name__}: {str(exc)[:300]}"
        issue = RowIssue(None, None, None, message)
        return _finish_failed(params, [issue], [], 0)
    finally:
        if documents is not None:
            documents.close()


def _write(
    params: JobParams, analysis: Analysis, documents: DocumentSource | None, progress: JobProgress
) -> ImportJob:
    settings = get_settings()
    files = {}
    if documents is not None:
        files = store_files(
            documents=documents,
            analysis=analysis,
            documents_dir=settings.documents_dir,
            copy=not params.dry_run,
        )
    progress.step_done("文书文件")
    plan = ImportPlan(
        court_code=params.court_code,
        court_name=court_name(params.court_code),
        columns=analysis.columns,
        cases=analysis.content.cases,
        parties=list(analysis.content.parties.values()),
        files=files,
        now=utcnow(),
        job_id=params.job_id,
        actor_user_id=params.actor_user_id,
    )
    session = session_factory()()
    try:
        counts = write_plan(db_session=session, plan=plan, on_step=progress.step_done)
        counts.rows = analysis.total_rows
        counts.warnings[:0] = analysis.warnings
        status = JobStatus.partial if analysis.refused else JobStatus.done
        summary = _summary(params, counts, analysis)
        if params.dry_run:
            session.rollback()
            with get_session() as finish_session:
                return _finish(finish_session, params, status, analysis.errors, counts.warnings, summary)
        job = _finish(session, params, status, analysis.errors, counts.warnings, summary)
        session.commit()
        return job
    finally:
        session.close()


def _summary(params: JobParams, counts: ImportCounts, analysis: Analysis) -> dict[str, Any]:
    return {
        **counts.as_summary(),
        "dry_run": params.dry_run,
        "valid_cases_only": params.valid_cases_only,
        "error_count": len(analysis.errors),
        "warning_count": len(counts.warnings),
        "cases_refused": sum(case.case_number is not None for case in analysis.refused),
        "rows_refused": analysis.refused_rows,
        "refused_cases": [case.as_dict() for case in analysis.refused[:MAX_REPORTED_ISSUES]],
    }


def _finish_failed(
    params: JobParams, errors: list[RowIssue], warnings: list[RowIssue], rows: int
) -> ImportJob:
    summary = {
        "rows": rows,
        "dry_run": params.dry_run,
        "error_count": len(errors),
        "warning_count": len(warnings),
    }
    with get_session() as session:
        return _finish(session, params, JobStatus.failed, errors, warnings, summary)


def _finish(
    session: Session,
    params: JobParams,
    status: JobStatus,
    errors: list[RowIssue],
    warnings: list[RowIssue],
    summary: dict[str, Any],
) -> ImportJob:
    """Record the outcome on the job and in the audit trail, in SESSION's transaction."""
    job = session.get_one(ImportJob, params.job_id)
    job.status = status.value
    job.errors = issues_as_dicts(errors)
    job.warnings = issues_as_dicts(warnings)
    job.summary = summary
    job.finished_at = utcnow()
    actor = session.get(User, job.created_by_user_id) if job.created_by_user_id else None
    audit_service.record(
        db_session=session,
        actor=actor,
        actor_username=None if actor else f"cli:{_os_user()}",
        action="intake_import",
        object_type="import_job",
        object_id=job.id,
        detail={"filename": job.filename, "sha256": job.file_sha256, "status": status.value, **summary},
    )
    session.flush()
    return job


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def list_jobs(*, db_session: Session, user: User, limit: int = 50) -> list[ImportJob]:
    """The latest import jobs the user may see, newest first."""
    query = select(ImportJob).where(_job_visible(user)).order_by(ImportJob.id.desc()).limit(limit)
    return list(db_session.scalars(query))


def get_job(*, db_session: Session, user: User, job_id: int) -> ImportJob | None:
    return db_session.scalar(select(ImportJob).where(ImportJob.id == job_id, _job_visible(user)))


def court_code_for(*, db_session: Session, user: User, requested: str | None) -> str | None:
    """The court an import goes to: clerks may only import into their own court."""
    if user.role is not Role.clerk:
        return requested
    own = db_session.scalar(select(Court.code).where(Court.id == user.court_id)) if user.court_id else None
    if own is None or (requested and requested != own):
        raise PermissionError("书记员只能导入本院案件")
    return own


def _job_visible(user: User) -> ColumnElement[bool]:
    """Clerks see the jobs of their court's staff; managers see all."""
    if user.role is not Role.clerk:
        return true()
    same_court = select(User.id).where(User.court_id == user.court_id)
    return ImportJob.created_by_user_id.in_(same_court) if user.court_id else false()
