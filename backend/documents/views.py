"""Document download: the stored file, streamed, for a case in the caller's scope; always audited."""

from pathlib import Path

from fastapi import HTTPException, Request, status
from fastapi.responses import FileResponse
from sqlalchemy import select

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.roles import ALL_ROLES
from backend.cases import access
from backend.config import get_settings
from backend.database import SessionDep
from backend.documents.models import Document

router = secured_router(prefix="/api/documents", tags=["文书"], roles=ALL_ROLES)


def stored_path(document: Document) -> Path | None:
    """The document's file inside the documents directory, or None if it has none."""
    if document.file_path is None:
        return None
    root = get_settings().documents_dir.resolve()
    path = (root / document.file_path).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


@router.get("/{document_id}/file", response_class=FileResponse)
def download_document(
    document_id: int, request: Request, user: CurrentUser, db_session: SessionDep
) -> FileResponse:
    query = select(Document).where(Document.id == document_id, access.case_visible(user, Document.case_id))
    document = db_session.scalar(query)
    path = None if document is None else stored_path(document)
    if document is None or path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "文书不存在")
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="document_download",
        object_type="document",
        object_id=document.id,
        case_id=document.case_id,
        detail={"sha256": document.sha256, "name": document.name},
    )
    filename = document.name if document.name.endswith(path.suffix) else f"{document.name}{path.suffix}"
    return FileResponse(
        path, media_type=document.content_type or "application/octet-stream", filename=filename
    )
