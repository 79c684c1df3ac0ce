"""Printing a batch: the overlay on the court's pre-printed 法院专递 form (field values only, at the
millimetre positions of a layout file plus the printer's offset), 100 x 150 mm thermal labels with the
waybill number as Code 128, and the 送达回证 cards that travel with the mail (with the same barcode, so a
returned card is matched by its scan). Each is one PDF per batch, one page per letter."""

# mypy: disable-error-code="import-untyped"

import io
import json
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from backend.core.fonts import cjk_font

LAYOUT_PATH = Path(__file__).parent / "layouts" / "court_mail_form.json"
LABEL_SIZE = (100 * mm, 150 * mm)
CARD_SIZE = (148 * mm, 105 * mm)


@dataclass(frozen=True, slots=True)
class Sheet:
    """What is printed for one letter."""

    waybill_no: str
    sender_name: str
    sender_phone: str
    sender_address: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    case_number: str
    documents: str
    posted_on: date

    def value(self, name: str) -> str:
        value = getattr(self, name)
        return value.strftime("%Y年%m月%d日") if isinstance(value, date) else str(value)


@lru_cache
def load_layout(path: Path = LAYOUT_PATH) -> dict[str, Any]:
    layout: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return layout


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break TEXT into lines no wider than WIDTH points (CJK: any character may break)."""
    lines, line = [], ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, font, size) > width and line:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


MIN_FONT_SIZE = 6.0


def fit(text: str, font: str, size: float, spec: dict[str, Any]) -> tuple[float, list[str]]:
    """The largest size down to MIN_FONT_SIZE at which TEXT fits the field's width and lines (a long
    document list must still be printed whole: the contract requires it on the waybill)."""
    room = spec.get("lines", 1)
    while True:
        lines = wrap(text, font, size, spec["width"] * mm)
        if len(lines) <= room:
            return size, lines
        if size <= MIN_FONT_SIZE:
            break
        size -= 0.5
    # Still too long: what fits, then how many there are in all (the card and the proof list them all).
    tail = f"…等共{len(text.split('、'))}份"
    last = lines[room - 1]
    while last and pdfmetrics.stringWidth(last + tail, font, size) > spec["width"] * mm:
        last = last[:-1]
    return size, [*lines[: room - 1], last + tail]


def text_top(canvas: Canvas, text: str, x: float, top: float, size: float, font: str) -> None:
    """Draw TEXT with the top of its glyph box at TOP (points from the page bottom)."""
    canvas.setFont(font, size)
    canvas.drawString(x, top - pdfmetrics.getAscent(font, size), text)


def _form_page(
    canvas: Canvas, sheet: Sheet, layout: dict[str, Any], offset: tuple[float, float], font: str
) -> None:
    page_height = layout["page_mm"][1] * mm
    for name, spec in layout["fields"].items():
        size, lines = fit(sheet.value(name), font, spec.get("size", layout["font_size"]), spec)
        x = (spec["x"] + offset[0]) * mm
        top = page_height - (spec["y"] + offset[1]) * mm
        for number, line in enumerate(lines):
            text_top(canvas, line, x, top - number * size * 1.25, size, font)


def render_forms(sheets: list[Sheet], *, offset: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """The overlay for the pre-printed forms: field values only, one page per letter."""
    layout, font = load_layout(), cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=(layout["page_mm"][0] * mm, layout["page_mm"][1] * mm), pageCompression=1
    )
    canvas.setTitle("法院专递套打")
    for sheet in sheets:
        _form_page(canvas, sheet, layout, offset, font)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_calibration(*, offset: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """A sheet printed on a blank form: a cross at each field's corner and a millimetre ruler. The
    distance from each cross to the form's printed box is the printer's offset to enter."""
    layout, font = load_layout(), cjk_font()
    width, height = layout["page_mm"][0] * mm, layout["page_mm"][1] * mm
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle("套打校准页")
    canvas.setLineWidth(0.2)
    for spec in layout["fields"].values():
        x, y = (spec["x"] + offset[0]) * mm, height - (spec["y"] + offset[1]) * mm
        canvas.line(x - 3 * mm, y, x + 3 * mm, y)
        canvas.line(x, y - 3 * mm, x, y + 3 * mm)
        text_top(canvas, f"{spec['label']}（{spec['x']}, {spec['y']} mm）", x + 1 * mm, y - 1 * mm, 6, font)
    for millimetre in range(0, int(layout["page_mm"][0]) + 1):
        tick = 3 if millimetre % 10 == 0 else 1.5
        canvas.line(millimetre * mm, height, millimetre * mm, height - tick * mm)
    for millimetre in range(0, int(layout["page_mm"][1]) + 1):
        tick = 3 if millimetre % 10 == 0 else 1.5
        canvas.line(0, height - millimetre * mm, tick * mm, height - millimetre * mm)
    note = "校准：量出十字中心与预印格位置的偏差（右、下为正），填入该打印机的偏移（毫米）。当前偏移"
    text_top(canvas, f"{note} X={offset[0]:+.1f} Y={offset[1]:+.1f}", 10 * mm, 8 * mm, 7, font)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _barcode(canvas: Canvas, value: str, x: float, y: float, height: float, width: float) -> None:
    """Code 128 of VALUE fitted to WIDTH points, with the quiet zones zbar needs."""
    bar_width = 0.4 * mm
    code = Code128(value, barHeight=height, barWidth=bar_width, quiet=True, lquiet=6 * mm, rquiet=6 * mm)
    if code.width > width:
        code = Code128(value, barHeight=height, barWidth=bar_width * width / code.width, quiet=True)
    code.drawOn(canvas, x + (width - code.width) / 2, y)


def _label_page(canvas: Canvas, sheet: Sheet, font: str) -> None:
    width, height = LABEL_SIZE
    margin = 5 * mm
    canvas.setLineWidth(0.6)
    canvas.rect(margin / 2, margin / 2, width - margin, height - margin)
    text_top(canvas, "EMS 法院专递", margin, height - margin, 14, font)
    _barcode(canvas, sheet.waybill_no, margin, height - 36 * mm, 18 * mm, width - 2 * margin)
    text_top(
        canvas,
        sheet.waybill_no,
        width / 2 - pdfmetrics.stringWidth(sheet.waybill_no, font, 12) / 2,
        height - 38 * mm,
        12,
        font,
    )
    y = height - 46 * mm
    blocks = [
        (f"收件人：{sheet.recipient_name}  {sheet.recipient_phone}", 11),
        (f"地址：{sheet.recipient_address}", 11),
        (f"寄件人：{sheet.sender_name}  {sheet.sender_phone}", 9),
        (f"寄件地址：{sheet.sender_address}", 9),
        (f"案号：{sheet.case_number}", 10),
        (f"文书：{sheet.documents}", 9),
    ]
    for text, size in blocks:
        for line in wrap(text, font, size, width - 2 * margin)[:4]:
            text_top(canvas, line, margin, y, size, font)
            y -= size * 1.3
        y -= 2 * mm
    text_top(canvas, f"交寄日期：{sheet.value('posted_on')}", margin, margin + 6 * mm, 9, font)


def render_labels(sheets: list[Sheet]) -> bytes:
    """100 x 150 mm thermal labels, one per letter."""
    font = cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LABEL_SIZE, pageCompression=1)
    canvas.setTitle("法院专递热敏面单")
    for sheet in sheets:
        _label_page(canvas, sheet, font)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _card_page(canvas: Canvas, sheet: Sheet, font: str) -> None:
    width, height = CARD_SIZE
    margin = 6 * mm
    text_top(canvas, sheet.sender_name, margin, height - margin, 11, font)
    text_top(canvas, "送 达 回 证", width / 2 - 25 * mm, height - margin - 6 * mm, 16, font)
    _barcode(canvas, sheet.waybill_no, width - 62 * mm, height - 24 * mm, 12 * mm, 56 * mm)
    text_top(canvas, f"邮件号 {sheet.waybill_no}", width - 52 * mm, height - 25 * mm, 8, font)
    rows = [
        f"案号：{sheet.case_number}",
        f"受送达人：{sheet.recipient_name}",
        f"送达地址：{sheet.recipient_address}",
        f"送达文书：{sheet.documents}",
        "送达方式：EMS 法院专递",
        "受送达人签名或盖章：                            签收日期：      年    月    日",
        "代收人及与受送达人关系：                        拒收/退回原因：",
    ]
    y = height - 32 * mm
    for row in rows:
        size, lines = fit(row, font, 9, {"width": (width - 2 * margin) / mm, "lines": 4})
        for line in lines:
            text_top(canvas, line, margin, y, size, font)
            y -= size * 1.35
        y -= 1.5 * mm
    canvas.setFont(font, 7)
    canvas.drawString(margin, margin, "请签收后将本回证随邮件退回寄件法院；拒收或无法投递的，请注明原因。")


def render_cards(sheets: list[Sheet]) -> bytes:
    """The 送达回证 cards, one per letter, with the waybill barcode."""
    font = cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=CARD_SIZE, pageCompression=1)
    canvas.setTitle("送达回证（邮寄）")
    for sheet in sheets:
        _card_page(canvas, sheet, font)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def join_pdfs(documents: list[bytes]) -> bytes:
    """One PDF of DOCUMENTS' pages in order (poppler's pdfunite), e.g. a batch of the vendor's labels."""
    if len(documents) == 1:
        return documents[0]
    with tempfile.TemporaryDirectory(prefix="songda-labels-") as folder:
        paths = []
        for number, document in enumerate(documents):
            path = Path(folder) / f"{number:05d}.pdf"
            path.write_bytes(document)
            paths.append(str(path))
        joined = Path(folder) / "joined.pdf"
        subprocess.run(["pdfunite", *paths, str(joined)], check=True, capture_output=True, timeout=300)
        return joined.read_bytes()
