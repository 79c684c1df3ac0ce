"""Receipt scans (回执 cards, returned envelopes): attached to the letter's attempt as evidence, matched by
the waybill number's Code 128 barcode (read with zbar) when a pile of scans comes in at once."""

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.cases.access import case_visible
from backend.core.errors import InvalidRequest
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.evidence.scans import scan_type
from backend.evidence.service import store_evidence
from backend.postal import outcomes
from backend.postal.enums import ItemStatus
from backend.postal.models import PostalItem


def read_barcodes(content: bytes) -> list[str]:
    """Every Code 128 value zbar finds in a scan (each page of a PDF, rendered at 200 dpi)."""
    content_type = scan_type(content)
    with tempfile.TemporaryDirectory(prefix="songda-scan-") as folder:
        source = Path(folder) / ("scan.pdf" if content_type == "application/pdf" else "scan.img")
        source.write_bytes(content)
        images = [source]
        if content_type == "application/pdf":
            rendered = subprocess.run(
                ["pdftoppm", "-r", "200", "-gray", "-png", str(source), str(Path(folder) / "page")],
                capture_output=True,
                timeout=120,
            )
            if rendered.returncode != 0:
                raise InvalidRequest("PDF 扫描件无法读取，请重新扫描")
            images = sorted(Path(folder).glob("page*.png"))
        found = subprocess.run(
            ["zbarimg", "-q", "--raw", "-Sdisable", "-Scode128.enable", *map(str, images)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    # zbarimg exits 4 when it found nothing: not an error here
    return [line.strip() for line in found.stdout.splitlines() if line.strip()]


def attach_receipt(
    *, db_session: Session, actor: User, item: PostalItem, content: bytes, filename: str | None
) -> Evidence:
    """Store the scan on the letter's attempt; a letter waiting for it is served now."""
    if item.status in (ItemStatus.draft, ItemStatus.removed):
        raise InvalidRequest("邮件尚未寄出，不能登记回执")
    scan = store_evidence(
        db_session=db_session,
        case_id=item.case_id,
        kind=EvidenceKind.receipt,
        content=content,
        content_type=scan_type(content),
        metadata={"waybill_no": item.waybill_no, "filename": filename},
        created_by_user=actor,
        attempt_id=item.attempt_id,
    )
    if item.receipt_evidence_id is None:
        item.receipt_evidence_id = scan.id
    if item.status is ItemStatus.awaiting_receipt:
        if item.final_state is not None and item.final_state.value == "returned":
            outcomes.serve_returned(db_session=db_session, item=item)
        else:
            outcomes.serve_delivered_by_card(db_session=db_session, item=item)
    db_session.flush()
    return scan


@dataclass
class ScanMatch:
    filename: str | None
    waybill_no: str | None = None
    item_id: int | None = None
    evidence_id: int | None = None
    problem: str | None = None


@dataclass
class MatchReport:
    matches: list[ScanMatch] = field(default_factory=list)


def match_scans(*, db_session: Session, actor: User, scans: list[tuple[str | None, bytes]]) -> MatchReport:
    """Attach each scan to the letter whose waybill barcode it shows."""
    report = MatchReport()
    for filename, content in scans:
        match = ScanMatch(filename=filename)
        report.matches.append(match)
        codes = read_barcodes(content)
        items = (
            list(
                db_session.scalars(
                    select(PostalItem).where(
                        PostalItem.waybill_no.in_(codes), case_visible(actor, PostalItem.case_id)
                    )
                )
            )
            if codes
            else []
        )
        if len(items) != 1:
            match.problem = "未识别到邮件条码" if not items else "识别到多个邮件条码，请单独上传"
            continue
        item = items[0]
        match.waybill_no, match.item_id = item.waybill_no, item.id
        match.evidence_id = attach_receipt(
            db_session=db_session, actor=actor, item=item, content=content, filename=filename
        ).id
    return report
