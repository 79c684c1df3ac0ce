"""EMS court mail over HTTP: clerks (their court's mail), supervisors and admins build, review and confirm
the day's batches, print them, upload receipt scans; supervisors see silent letters and the monthly cost.
Vendors push tracking to /api/postal/push, authenticated by the vendor's signature instead of a user."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile

from backend.audit import service as audit_service
from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.roles import STAFF_ROLES, Role
from backend.config import get_settings
from backend.core.clock import court_today
from backend.core.errors import InvalidRequest, RuleViolation
from backend.core.http import service_errors
from backend.database import SessionDep, utcnow
from backend.postal import printing, receipts, service, tracking
from backend.postal.enums import ItemStatus
from backend.postal.gateway import postal_gateway
from backend.postal.gateway.base import GatewayError, InvalidPush
from backend.postal.schemas import (
    BatchBuild,
    BatchDetail,
    BatchRead,
    BuildRead,
    CostRead,
    EventRead,
    ItemDetail,
    ItemRead,
    ItemUpdate,
    PrinterRead,
    PrinterWrite,
    ScanMatchRead,
)

MAIL_ROLES = frozenset({Role.clerk, *STAFF_ROLES})
router = secured_router(prefix="/api/postal", tags=["EMS司法专邮"], roles=MAIL_ROLES)
supervision_router = secured_router(prefix="/api/postal", tags=["EMS司法专邮"], roles=STAFF_ROLES)
push_router = APIRouter(prefix="/api/postal", tags=["EMS司法专邮"])
routers = [router, supervision_router, push_router]
SCANS_LIMIT = 200 * 1024 * 1024


def request_limit(path: str) -> int | None:
    """Receipt scan uploads may be large (a pile of scans); the rest of /api/postal is small."""
    return SCANS_LIMIT if path.startswith("/api/postal/") and path.endswith("receipts") else None


def _audit(
    db_session: SessionDep,
    user: CurrentUser,
    request: Request,
    action: str,
    item_id: int,
    case_id: int,
    detail: dict[str, object],
) -> None:
    audit_service.record(
        db_session=db_session,
        actor=user,
        action=action,
        object_type="postal_item",
        object_id=item_id,
        case_id=case_id,
        client_ip=client_ip(request),
        detail=detail,
    )


def _detail(batch_id: int, db_session: SessionDep, user: CurrentUser, request: Request) -> BatchDetail:
    batch = service.visible_batch(db_session=db_session, actor=user, batch_id=batch_id)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="postal_batch_read",
        object_type="postal_batch",
        object_id=batch.id,
    )
    return BatchDetail(
        **BatchRead.of(batch).model_dump(), letters=[ItemRead.of(item) for item in batch.items]
    )


@router.post("/batches/build", response_model=BuildRead)
def build_batches(body: BatchBuild, db_session: SessionDep, user: CurrentUser) -> BuildRead:
    """Put the planned postal attempts into today's draft batch of their court."""
    with service_errors():
        report = service.build_batches(
            db_session=db_session, actor=user, day=body.day or court_today(), court_id=body.court_id
        )
    return BuildRead(
        batches=[BatchRead.of(batch) for batch in report.batches], without_address=report.without_address
    )


@router.get("/batches", response_model=list[BatchRead])
def list_batches(
    db_session: SessionDep, user: CurrentUser, day: Annotated[date | None, Query()] = None
) -> list[BatchRead]:
    return [BatchRead.of(batch) for batch in service.list_batches(db_session=db_session, actor=user, day=day)]


@router.get("/batches/{batch_id}", response_model=BatchDetail)
def read_batch(batch_id: int, db_session: SessionDep, user: CurrentUser, request: Request) -> BatchDetail:
    """The batch's letters with names and addresses (the read is audited)."""
    with service_errors():
        return _detail(batch_id, db_session, user, request)


@router.post("/batches/{batch_id}/confirm", response_model=BatchDetail)
def confirm_batch(batch_id: int, db_session: SessionDep, user: CurrentUser, request: Request) -> BatchDetail:
    """Place one EMS order per letter (retrying is safe: each letter's order key is fixed)."""
    with service_errors():
        batch = service.visible_batch(db_session=db_session, actor=user, batch_id=batch_id)
        report = service.confirm_batch(
            db_session=db_session, actor=user, batch=batch, gateway=postal_gateway()
        )
        detail = _detail(batch_id, db_session, user, request)
    detail.errors = report.errors
    return detail


@router.patch("/letters/{item_id}", response_model=ItemRead)
def fix_letter(
    item_id: int, body: ItemUpdate, db_session: SessionDep, user: CurrentUser, request: Request
) -> ItemRead:
    """Correct a letter's address or recipient before the batch is confirmed."""
    with service_errors():
        item = service.visible_item(db_session=db_session, actor=user, item_id=item_id)
        before = {"address": item.address, "recipient_name": item.recipient_name}
        service.fix_item(db_session=db_session, item=item, **body.model_dump(exclude_unset=True))
    _audit(db_session, user, request, "postal_letter_fixed", item.id, item.case_id, {"before": before})
    return ItemRead.of(item)


@router.delete("/letters/{item_id}", response_model=ItemRead)
def remove_letter(item_id: int, db_session: SessionDep, user: CurrentUser, request: Request) -> ItemRead:
    """Take a letter out of its draft batch (its attempt stays planned)."""
    with service_errors():
        item = service.visible_item(db_session=db_session, actor=user, item_id=item_id)
        service.remove_item(item=item)
    _audit(
        db_session, user, request, "postal_letter_removed", item.id, item.case_id, {"batch_id": item.batch_id}
    )
    return ItemRead.of(item)


@router.get("/letters", response_model=list[ItemRead])
def list_letters(
    db_session: SessionDep,
    user: CurrentUser,
    request: Request,
    status: Annotated[list[ItemStatus] | None, Query(description="邮件状态，默认在途与待扫描退件")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[ItemRead]:
    """Letters posted and where they stand (names and addresses: the read is audited)."""
    wanted = status or [ItemStatus.ordered, ItemStatus.awaiting_receipt]
    items = service.list_letters(db_session=db_session, actor=user, statuses=wanted, limit=limit)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="postal_letters_read",
        object_type="postal_item",
        detail={"statuses": [s.value for s in wanted], "letters": len(items)},
    )
    return [ItemRead.of(item) for item in items]


@router.get("/letters/{item_id}", response_model=ItemDetail)
def read_letter(item_id: int, db_session: SessionDep, user: CurrentUser, request: Request) -> ItemDetail:
    """A letter with its tracking events (the read is audited)."""
    with service_errors():
        item = service.visible_item(db_session=db_session, actor=user, item_id=item_id)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="postal_letter_read",
        object_type="postal_item",
        object_id=item.id,
        case_id=item.case_id,
    )
    events = tracking.events_of(db_session=db_session, item_id=item.id)
    return ItemDetail(**ItemRead.of(item).model_dump(), events=[EventRead.of(event) for event in events])


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


@router.get("/batches/{batch_id}/ems-labels.pdf", response_class=Response)
def print_vendor_labels(
    batch_id: int, db_session: SessionDep, user: CurrentUser, request: Request
) -> Response:
    """The batch's labels as the vendor makes them (EMS 010004, 100 x 180 mm), one PDF."""
    with service_errors():
        batch = service.visible_batch(db_session=db_session, actor=user, batch_id=batch_id)
        waybills = [item.waybill_no or "" for item in service.printable_items(batch)]
        gateway = postal_gateway()
        try:
            labels = [gateway.vendor_label(waybill) for waybill in waybills]
        except GatewayError as error:
            raise RuleViolation(str(error)) from error
        if any(label is None for label in labels):
            raise InvalidRequest("当前邮政接口不提供面单，请打印本系统的热敏面单（labels）")
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="postal_batch_printed",
        object_type="postal_batch",
        object_id=batch.id,
        detail={"kind": "ems-labels", "letters": len(labels)},
    )
    return _pdf(printing.join_pdfs([label for label in labels if label]), f"batch-{batch.id}-ems-labels.pdf")


# After ems-labels.pdf: this route would take that name as a kind.
@router.get("/batches/{batch_id}/{kind}.pdf", response_class=Response)
def print_batch(
    batch_id: int,
    kind: str,
    db_session: SessionDep,
    user: CurrentUser,
    request: Request,
    printer_id: Annotated[int | None, Query()] = None,
) -> Response:
    """One PDF for the batch: `forms` (overlay on the pre-printed form, with the printer's offset),
    `labels` (100 x 150 mm thermal labels) or `cards` (送达回证 cards that travel with the mail)."""
    with service_errors():
        if kind not in ("forms", "labels", "cards"):
            raise InvalidRequest("打印类型须为 forms、labels 或 cards")
        batch = service.visible_batch(db_session=db_session, actor=user, batch_id=batch_id)
        sheets = service.sheets_of(db_session=db_session, batch=batch)
        printer = service.get_printer(db_session=db_session, printer_id=printer_id)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="postal_batch_printed",
        object_type="postal_batch",
        object_id=batch.id,
        detail={"kind": kind, "letters": len(sheets)},
    )
    if kind == "forms":
        offset = (printer.offset_x_mm, printer.offset_y_mm) if printer else (0.0, 0.0)
        return _pdf(printing.render_forms(sheets, offset=offset), f"batch-{batch.id}-forms.pdf")
    render = printing.render_labels if kind == "labels" else printing.render_cards
    return _pdf(render(sheets), f"batch-{batch.id}-{kind}.pdf")


@router.get("/printers", response_model=list[PrinterRead])
def list_printers(db_session: SessionDep) -> list[PrinterRead]:
    return [PrinterRead.of(printer) for printer in service.list_printers(db_session=db_session)]


@router.post("/printers", response_model=PrinterRead, status_code=201)
def add_printer(body: PrinterWrite, db_session: SessionDep) -> PrinterRead:
    with service_errors():
        return PrinterRead.of(service.save_printer(db_session=db_session, **body.model_dump()))


@router.put("/printers/{printer_id}", response_model=PrinterRead)
def set_printer(printer_id: int, body: PrinterWrite, db_session: SessionDep) -> PrinterRead:
    """Set the offset measured on the printer's calibration sheet."""
    with service_errors():
        printer = service.get_printer(db_session=db_session, printer_id=printer_id)
        return PrinterRead.of(
            service.save_printer(db_session=db_session, printer=printer, **body.model_dump())
        )


@router.get("/printers/{printer_id}/calibration.pdf", response_class=Response)
def calibration_sheet(printer_id: int, db_session: SessionDep) -> Response:
    with service_errors():
        printer = service.get_printer(db_session=db_session, printer_id=printer_id)
    assert printer is not None
    return _pdf(
        printing.render_calibration(offset=(printer.offset_x_mm, printer.offset_y_mm)), "calibration.pdf"
    )


@router.post("/letters/{item_id}/receipts", response_model=ScanMatchRead, status_code=201)
async def upload_receipt(
    item_id: int,
    file: Annotated[UploadFile, File(description="回执或退件扫描件（PDF/PNG/JPEG）")],
    db_session: SessionDep,
    user: CurrentUser,
) -> ScanMatchRead:
    """Attach one scan to a letter (a letter returned to a confirmed address is served by it)."""
    content = await file.read()
    with service_errors():
        item = service.visible_item(db_session=db_session, actor=user, item_id=item_id)
        scan = receipts.attach_receipt(
            db_session=db_session, actor=user, item=item, content=content, filename=file.filename
        )
    return ScanMatchRead(
        filename=file.filename, waybill_no=item.waybill_no, item_id=item.id, evidence_id=scan.id, problem=None
    )


@router.post("/receipts", response_model=list[ScanMatchRead])
async def upload_receipts(
    files: Annotated[list[UploadFile], File(description="一批扫描件，按邮件条码自动匹配")],
    db_session: SessionDep,
    user: CurrentUser,
) -> list[ScanMatchRead]:
    """Match each scan to its letter by the waybill barcode (zbar) and attach it."""
    scans = [(upload.filename, await upload.read()) for upload in files]
    with service_errors():
        report = receipts.match_scans(db_session=db_session, actor=user, scans=scans)
    return [ScanMatchRead(**vars(match)) for match in report.matches]


@supervision_router.get("/silent", response_model=list[ItemRead])
def silent_letters(
    db_session: SessionDep,
    user: CurrentUser,
    request: Request,
    days: Annotated[int | None, Query(ge=1, le=90)] = None,
) -> list[ItemRead]:
    """Letters with the carrier and no tracking event for N days (default SONGDA_POSTAL_SILENT_DAYS)."""
    items = tracking.silent_items(
        db_session=db_session, now=utcnow(), days=days or get_settings().postal_silent_days
    )
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="postal_silent_read",
        object_type="postal_item",
        detail={"letters": len(items)},
    )
    return [ItemRead.of(item) for item in items]


@supervision_router.get("/awaiting-scan", response_model=list[ItemRead])
def letters_awaiting_scan(db_session: SessionDep, user: CurrentUser, request: Request) -> list[ItemRead]:
    """Letters returned to the court that are served only once the returned envelope is scanned."""
    items = tracking.scans_awaited(db_session=db_session)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="postal_awaiting_scan_read",
        object_type="postal_item",
        detail={"letters": len(items)},
    )
    return [ItemRead.of(item) for item in items]


@router.get("/costs", response_model=CostRead)
def month_cost(
    db_session: SessionDep, user: CurrentUser, month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")]
) -> CostRead:
    """EMS spend and success of a month (YYYY-MM): letters ordered, total and average cost per letter in fen,
    how many were served or failed, and the success rate among those with an outcome."""
    with service_errors():
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError as error:
            raise InvalidRequest("月份格式应为 YYYY-MM") from error
        figures = service.month_figures(db_session=db_session, actor=user, month=first)
    decided = figures.served + figures.failed
    return CostRead(
        month=month,
        letters=figures.letters,
        total_fen=figures.total_fen,
        average_fen=figures.total_fen // figures.letters if figures.letters else 0,
        served=figures.served,
        failed=figures.failed,
        success_rate=round(figures.served / decided, 4) if decided else None,
    )


@push_router.post("/push", response_class=Response)
async def tracking_push(request: Request, db_session: SessionDep) -> Response:
    """Tracking pushed by the configured vendor; its signature is the authentication (no user)."""
    gateway = postal_gateway()
    body = await request.body()
    form = {key: str(value) for key, value in (await request.form()).items()} if body else {}
    try:
        traces = gateway.verify_push(body, form, dict(request.headers))
    except InvalidPush:
        answer = gateway.push_answer(False)
        return Response(answer.body, status_code=403, media_type=answer.media_type)
    tracking.ingest(db_session=db_session, traces=traces)
    answer = gateway.push_answer(True)
    return Response(answer.body, status_code=answer.status_code, media_type=answer.media_type)
