"""Upload of a court export and the import jobs' progress and reports."""

import io
import shutil
import uuid
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import File, Form, HTTPException, Request, Response, UploadFile, status

from backend import taskqueue
from backend.audit import service as audit_service
from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.roles import Role
from backend.config import get_settings
from backend.core.errors import InvalidRequest
from backend.database import SessionDep, utcnow
from backend.intake import problems, service, uploads
from backend.intake.enums import JobStatus
from backend.intake.models import ImportJob
from backend.intake.reading import SUPPORTED_SUFFIXES
from backend.intake.schemas import ImportAccepted, ImportJobBrief, ImportJobRead
from backend.intake.tasks import IMPORT_TASK

# Clerks are court staff: they hand the court's export over themselves.
router = secured_router(
    prefix="/api/intake", tags=["案件导入"], roles={Role.admin, Role.supervisor, Role.clerk}
)


def _save_upload(upload: UploadFile, folder: Path, stem: str) -> Path:
    suffix = Path(upload.filename or "").suffix.lower()
    target = folder / f"{stem}{suffix}"
    with target.open("wb") as handle:
        shutil.copyfileobj(upload.file, handle, length=1 << 20)
    return target


@router.post("/imports", status_code=status.HTTP_202_ACCEPTED, response_model=ImportAccepted)
def upload_export(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    file: Annotated[UploadFile, File(description="法院导出的案件表（CSV或XLSX）")],
    documents: Annotated[UploadFile | None, File(description="文书文件的zip压缩包")] = None,
    dry_run: Annotated[bool, Form(description="只校验并统计，不写入")] = False,
    valid_cases_only: Annotated[
        bool, Form(description="只导入无误的案件（每个案件整体导入或整体拒绝），列出被拒的案件")
    ] = False,
    court_code: Annotated[str | None, Form(description="法院代码，默认为本系统配置的法院")] = None,
) -> ImportAccepted:
    """Accept an export (and optionally a zip of its documents); the import runs in the background."""
    try:
        court_code = service.court_code_for(db_session=db_session, user=user, requested=court_code or None)
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    if Path(file.filename or "").suffix.lower() not in SUPPORTED_SUFFIXES:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "仅支持CSV或XLSX格式的案件表")
    folder = get_settings().data_dir / "imports" / f"{utcnow():%Y%m%d}-{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True)
    source = _save_upload(file, folder, "export")
    documents_path = (
        _save_upload(documents, folder, "documents") if documents and documents.filename else None
    )
    try:
        uploads.check_export(source)
        if documents_path is not None:
            uploads.check_documents_zip(documents_path)
    except InvalidRequest as exc:
        shutil.rmtree(folder, ignore_errors=True)  # a refused upload leaves nothing behind
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    try:
        job = service.create_job(
            db_session=db_session,
            filename=file.filename or source.name,
            source_path=source,
            documents_path=documents_path,
            court_code=court_code or None,
            dry_run=dry_run,
            user=user,
            valid_cases_only=valid_cases_only,
        )
    except ValueError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="intake_upload",
        object_type="import_job",
        object_id=job.id,
        client_ip=client_ip(request),
        detail={
            "filename": job.filename,
            "sha256": job.file_sha256,
            "dry_run": dry_run,
            "valid_cases_only": valid_cases_only,
        },
    )
    db_session.commit()  # the background job must see its row
    taskqueue.enqueue(IMPORT_TASK, job_id=job.id)
    return ImportAccepted(id=job.id, status=JobStatus(job.status))


@router.get("/imports", response_model=list[ImportJobBrief])
def list_imports(user: CurrentUser, db_session: SessionDep, limit: int = 50) -> list[ImportJob]:
    return service.list_jobs(db_session=db_session, user=user, limit=min(max(limit, 1), 200))


@router.get("/imports/{job_id}", response_model=ImportJobRead)
def get_import(job_id: int, user: CurrentUser, db_session: SessionDep) -> ImportJob:
    job = service.get_job(db_session=db_session, user=user, job_id=job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "导入任务不存在")
    return job


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/imports/{job_id}/problems.xlsx", response_class=Response)
def download_problems(job_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> Response:
    """The export's rows with a 问题 column beside them and the problem cells highlighted."""
    job = service.get_job(db_session=db_session, user=user, job_id=job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "导入任务不存在")
    source = Path(job.source_path) if job.source_path else None
    if source is None or not source.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "原始文件已按保留期限清理，无法生成问题清单")
    buffer = io.BytesIO()
    problems.write_problems(source=source, errors=job.errors, warnings=job.warnings, out=buffer)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="intake_problems_read",
        object_type="import_job",
        object_id=job.id,
        detail={"filename": job.filename, "errors": len(job.errors), "warnings": len(job.warnings)},
    )
    name = f"导入问题-{job.id}-{Path(job.filename).stem}.xlsx"
    disposition = f"attachment; filename=\"problems-{job.id}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(buffer.getvalue(), media_type=XLSX, headers={"Content-Disposition": disposition})
