from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from backend.documents.enums import DocumentKind


class DocumentRead(BaseModel):
    """A document's metadata; the file itself comes from the download endpoint."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    name: str
    kind: DocumentKind
    sha256: str | None
    size_bytes: int | None
    content_type: str | None
    created_at: datetime
    file_path: str | None = Field(default=None, exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_file(self) -> bool:
        return self.file_path is not None
