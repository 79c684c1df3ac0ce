"""Lay out a proof of service as an A4 PDF with an embedded CJK font and a verification QR code."""

# mypy: disable-error-code="import-untyped"

import io
import itertools
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from backend.core.fonts import cjk_font
from backend.proofs.facts import EvidenceLine, Fact, SignatureImage, shanghai_time

QR_SIZE = 36 * mm
QR_QUIET_MODULES = 4
GRID = colors.HexColor("#777777")


@dataclass(frozen=True, slots=True)
class ProofContent:
    """Everything printed on one proof."""

    proof_id: int
    court_name: str
    title: str
    subtitle: str
    facts: list[Fact]
    method_facts: list[Fact]  # each fact the method requires, with the evidence it rests on
    transcript_excerpt: str | None
    evidence: list[EvidenceLine]
    signatures: list[SignatureImage]  # the party's signatures drawn on a screen, printed as signed
    chain_seq: int
    chain_head_hash: str
    verify_url: str
    generated_at: datetime


def proof_styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK")
    return {
        "court": ParagraphStyle("court", parent=base, fontSize=15, leading=22, alignment=1),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=1),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=18, alignment=1),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=18, spaceBefore=6),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "hash": ParagraphStyle("hash", parent=base, fontSize=7, leading=10, wordWrap=None),
    }


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _grid(rows: list[list[Flowable]], widths: list[float], font: str) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def facts_table(facts: list[Fact], styles: dict[str, ParagraphStyle], font: str) -> Table:
    rows = [
        [paragraph(fact.label, styles["body"]), paragraph(fact.value, styles["body"])] for fact in facts
    ]
    return _grid(rows, [38 * mm, 132 * mm], font)


def _method_facts_table(facts: list[Fact], styles: dict[str, ParagraphStyle], font: str) -> Table:
    header = [paragraph(text, styles["small"]) for text in ("送达要件", "内容", "依据（证据编号）")]
    rows = [
        [
            paragraph(fact.label, styles["body"]),
            paragraph(fact.value, styles["body"]),
            paragraph(fact.basis, styles["small"]),
        ]
        for fact in facts
    ]
    return _grid([header, *rows], [56 * mm, 68 * mm, 46 * mm], font)


def _evidence_table(lines: list[EvidenceLine], styles: dict[str, ParagraphStyle], font: str) -> Table:
    header = [paragraph(text, styles["small"]) for text in ("编号", "证据类型", "大小（字节）", "SHA-256")]
    rows = [
        [
            paragraph(f"#{line.evidence_id}", styles["small"]),
            paragraph(line.label, styles["small"]),
            paragraph(str(line.size_bytes), styles["small"]),
            paragraph(line.sha256, styles["hash"]),
        ]
        for line in lines
    ]
    return _grid([header, *rows], [14 * mm, 34 * mm, 22 * mm, 100 * mm], font)


def _signatures_table(images: list[SignatureImage], styles: dict[str, ParagraphStyle], font: str) -> Table:
    rows = []
    for image in images:
        picture = Image(str(image.path), width=60 * mm, height=22 * mm, kind="proportional")
        caption = f"{image.label}\n证据 #{image.evidence_id} SHA-256 {image.sha256}"
        rows.append([picture, paragraph(caption, styles["small"])])
    return _grid(rows, [66 * mm, 104 * mm], font)


class QrCode(Flowable):  # type: ignore[misc]
    """The verification link as a QR code (M level, 4 modules of quiet zone), each row's dark runs filled
    as one path: reportlab's QR widget encodes the link twice and draws a validated shape per run."""

    def __init__(self, url: str, size: float) -> None:
        super().__init__()
        self.width = self.height = size
        self.code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        self.code.addData(url)
        self.code.make()

    def draw(self) -> None:
        rows = self.code.modules
        box = self.width / (len(rows) + 2 * QR_QUIET_MODULES)
        path = self.canv.beginPath()
        for row_index, row in enumerate(rows):
            y = self.height - (row_index + QR_QUIET_MODULES + 1) * box
            column = 0
            for dark, run in itertools.groupby(bool(module) for module in row):
                length = len(list(run))
                if dark:
                    path.rect((column + QR_QUIET_MODULES) * box, y, length * box, box)
                column += length
        self.canv.drawPath(path, stroke=0, fill=1)


def _verification_block(content: ProofContent, styles: dict[str, ParagraphStyle], font: str) -> Table:
    text = (
        f"证据链头：第 {content.chain_seq} 条\n{content.chain_head_hash}\n"
        f"扫描二维码或访问以下地址，核验本回证及其证据是否完好：\n{content.verify_url}"
    )
    cells = [[QrCode(content.verify_url, QR_SIZE), paragraph(text, styles["small"])]]
    table = Table(cells, colWidths=[40 * mm, 130 * mm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def _section(heading: str, body: Flowable, styles: dict[str, ParagraphStyle]) -> Flowable:
    return KeepTogether([paragraph(heading, styles["heading"]), body])


def _story(content: ProofContent, font: str) -> list[Flowable]:
    styles = proof_styles(font)
    story: list[Flowable] = [
        paragraph(content.court_name, styles["court"]),
        paragraph(content.title, styles["title"]),
        paragraph(content.subtitle, styles["subtitle"]),
        Spacer(1, 4 * mm),
        facts_table(content.facts, styles, font),
        _section("送达要件及其依据", _method_facts_table(content.method_facts, styles, font), styles),
    ]
    if content.signatures:
        story.append(_section("受送达人签名", _signatures_table(content.signatures, styles, font), styles))
    if content.transcript_excerpt:
        story.append(_section("通话内容摘录", paragraph(content.transcript_excerpt, styles["body"]), styles))
    story.append(_section("证据清单", _evidence_table(content.evidence, styles, font), styles))
    story.append(_section("完整性核验", _verification_block(content, styles, font), styles))
    footer = (
        f"回证编号 {content.proof_id}，生成于 {shanghai_time(content.generated_at)}（北京时间）。"
        "所列证据均已登记于本案证据链，任何改动均可通过核验发现。"
    )
    return [*story, Spacer(1, 4 * mm), paragraph(footer, styles["small"])]


def render_proof(content: ProofContent) -> bytes:
    """The PDF bytes of CONTENT."""
    font = cjk_font()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{content.title} {content.proof_id}",
        author="送达 Songda",
    )
    document.build(_story(content, font))
    return buffer.getvalue()
