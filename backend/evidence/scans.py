"""Scanned paper kept as evidence (a receipt card, a returned envelope, an authorisation letter): PDF, PNG
or JPEG only, told by the file's first bytes rather than its name."""

from backend.core.errors import InvalidRequest

SIGNATURES = {b"%PDF": "application/pdf", b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_SCAN_BYTES = 20 * 1024 * 1024


def scan_type(content: bytes) -> str:
    """The scan's content type from its first bytes: PDF, PNG or JPEG only, at most MAX_SCAN_BYTES."""
    if len(content) > MAX_SCAN_BYTES:
        raise InvalidRequest("扫描件不能超过 20 MB")
    if not content:
        raise InvalidRequest("扫描件为空，请重新扫描")
    for magic, content_type in SIGNATURES.items():
        if content.startswith(magic):
            return content_type
    raise InvalidRequest("扫描件须为 PDF、PNG 或 JPEG 文件")
