"""Small court-document PDFs in Chinese, drawn with reportlab's built-in CID font (no font file needed)."""

import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
_PAGE_WIDTH, _PAGE_HEIGHT = A4


@dataclass(frozen=True)
class DocumentText:
    court_name: str
    case_number: str
    title: str
    party_name: str
    party_role: str
    cause: str
    issued_on: date


@dataclass(frozen=True)
class StoredPdf:
    relative_path: str
    sha256: str
    size_bytes: int


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _body_lines(text: DocumentText) -> list[str]:
    return [
        f"{text.party_role}：{text.party_name}",
        "",
        f"本院受理的{text.case_number}{text.cause}一案，",
        f"现依法向你送达《{text.title}》。",
        "请自收到本文书之日起按文书所载事项办理。",
        "如对送达地址有异议，请及时联系本院。",
        "",
        "本文书为演示数据，不具有法律效力。",
    ]


def render(text: DocumentText) -> bytes:
    """The PDF bytes of one document; identical input gives identical bytes."""
    _register_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True, pageCompression=0)
    pdf.setTitle(f"{text.case_number} {text.title}")
    pdf.setFont(FONT, 20)
    pdf.drawCentredString(_PAGE_WIDTH / 2, _PAGE_HEIGHT - 90, text.court_name)
    pdf.setFont(FONT, 24)
    spacing = "  " if len(text.title) <= 2 else " "
    pdf.drawCentredString(_PAGE_WIDTH / 2, _PAGE_HEIGHT - 135, spacing.join(text.title))
    pdf.setFont(FONT, 12)
    pdf.drawRightString(_PAGE_WIDTH - 72, _PAGE_HEIGHT - 170, text.case_number)
    for index, line in enumerate(_body_lines(text)):
        pdf.drawString(72, _PAGE_HEIGHT - 220 - index * 24, line)
    pdf.drawRightString(_PAGE_WIDTH - 72, 200, text.court_name)
    pdf.drawRightString(
        _PAGE_WIDTH - 72, 176, f"{text.issued_on.year}年{text.issued_on.month}月{text.issued_on.day}日"
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def store(content: bytes, *, documents_dir: Path, relative_path: str) -> StoredPdf:
    """Write CONTENT under the documents directory and return its sha256 and size."""
    path = documents_dir / relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return StoredPdf(relative_path, hashlib.sha256(content).hexdigest(), len(content))
