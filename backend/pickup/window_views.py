"""The court window screen's API (/api/window): for the window clerk, and supervisors and admins.

A clerk sees the bookings and deliveries of their own court; every read of parties is audited; a wrong
ID at check-in is refused (409) and audited."""

from datetime import date
from typing import Annotated, Any

from fastapi import File, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.access import can_see_case, case_visible
from backend.cases.models import Case
from backend.core.clock import court_today
from backend.core.errors import InvalidRequest, NotVisible
from backend.core.http import service_errors
from backend.database import SessionDep, utcnow
from backend.deliveries.confirmations import ConfirmedAddresses
from backend.deliveries.enums import (
    METHOD_LABELS,
    OUTCOME_LABELS,
    AttemptOutcome,
    AttemptStatus,
    DeliveryMethod,
    DeliveryStatus,
)
from backend.deliveries.facts import fact_rows, fact_sheet
from backend.deliveries.models import Delivery, DeliveryAttempt, attempt_evidence
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.evidence.scans import MAX_SCAN_BYTES
from backend.parties.models import Party
from backend.pickup import flows, service
from backend.pickup.enums import BOOKING_STATUS_LABELS
from backend.pickup.models import PickupBooking, PickupWindow
from backend.pickup.schemas import (
    AddressConfirmationSign,
    CheckIn,
    HandOver,
    Refusal,
    WalkIn,
    WalkInCandidate,
    WindowAttempt,
    WindowBooking,
    WindowDocument,
    WindowFact,
    WindowRead,
    WindowServe,
)
from backend.signatures.schemas import SignatureCapture

WINDOW_ROLES = frozenset({Role.clerk, Role.supervisor, Role.admin})
window_router = secured_router(prefix="/api/window", tags=["法院窗口"], roles=WINDOW_ROLES)
SEARCH_LIMIT = 20
PROXY_FACTS = {flows.PROXY: "代理人领取", flows.AUTHORISATION_SCAN: "授权委托书扫描件"}
AUTHORISATION_PATH = "/authorisation"
FORM_OVERHEAD = 64 * 1024


def request_limit(path: str) -> int | None:
    """The largest body the authorisation scan upload may send (None for other paths)."""
    if path.startswith("/api/window/attempts/") and path.endswith(AUTHORISATION_PATH):
        return MAX_SCAN_BYTES + FORM_OVERHEAD
    return None


def _court_of(user: User) -> int | None:
    return user.court_id if user.role is Role.clerk else None


def _documents(delivery: Delivery) -> list[WindowDocument]:
    return [
        WindowDocument(id=d.id, name=d.name, kind=d.kind.value, sha256=d.sha256) for d in delivery.documents
    ]


def _booking_read(booking: PickupBooking) -> WindowBooking:
    delivery, slot = booking.delivery, booking.slot
    return WindowBooking(
        id=booking.id,
        code=booking.code,
        status=booking.status,
        status_label=BOOKING_STATUS_LABELS[booking.status],
        slot_id=slot.id,
        window=slot.window.name,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        delivery_id=delivery.id,
        attempt_id=booking.attempt_id,
        party_name=delivery.party.name,
        party_id_masked=flows.masked(delivery.party.id_number),
        case_number=delivery.case.case_number,
        documents=_documents(delivery),
    )


def _proof_evidence_id(db_session: Session, attempt_id: int) -> int | None:
    query = (
        select(Evidence.id)
        .join(attempt_evidence, attempt_evidence.c.evidence_id == Evidence.id)
        .where(attempt_evidence.c.attempt_id == attempt_id, Evidence.kind == EvidenceKind.proof_pdf)
        .order_by(Evidence.id.desc())
    )
    return db_session.scalars(query).first()


def _attempt_read(db_session: Session, attempt: DeliveryAttempt) -> WindowAttempt:
    delivery = attempt.delivery
    sheet = fact_sheet(db_session=db_session, attempt=attempt, outcome=AttemptOutcome.served)
    refusal = fact_sheet(db_session=db_session, attempt=attempt, outcome=AttemptOutcome.left_with_refusal)
    rows = {row.key: (fact.label, row) for fact, row in [*sheet, *refusal] if row is not None}
    recorded = fact_rows(db_session=db_session, attempt_id=attempt.id)
    for key, label in PROXY_FACTS.items():
        if key in recorded:
            rows[key] = (label, recorded[key])
    authorisation = ["授权委托书扫描件"] if flows.missing_authorisation(recorded.keys()) else []
    booking_id = db_session.scalar(select(PickupBooking.id).where(PickupBooking.attempt_id == attempt.id))
    return WindowAttempt(
        attempt_id=attempt.id,
        delivery_id=delivery.id,
        status=attempt.status.value,
        outcome=attempt.outcome.value if attempt.outcome else None,
        party_name=delivery.party.name,
        party_id_masked=flows.masked(delivery.party.id_number),
        case_number=delivery.case.case_number,
        documents=_documents(delivery),
        facts=[
            WindowFact(key=key, label=label, value=row.value, evidence_id=row.evidence_id)
            for key, (label, row) in rows.items()
        ],
        missing_to_serve=[fact.label for fact, row in sheet if row is None] + authorisation,
        missing_for_refusal=[fact.label for fact, row in refusal if row is None] + authorisation,
        proof_evidence_id=_proof_evidence_id(db_session, attempt.id),
        booking_id=booking_id,
        outcome_label=OUTCOME_LABELS.get(attempt.outcome) if attempt.outcome else None,
        next_step=_next_step(attempt),
    )


def _next_step(attempt: DeliveryAttempt) -> str | None:
    """After a no-show or a cancel: the method the router planned next, and by when it starts."""
    if attempt.status not in (AttemptStatus.failed, AttemptStatus.cancelled):
        return None
    later = [
        other
        for other in attempt.delivery.attempts
        if other.id > attempt.id and other.status in (AttemptStatus.planned, AttemptStatus.in_progress)
    ]
    if not later:
        return None
    following = later[0]
    return f"{METHOD_LABELS[following.method]}（{following.notes or '已安排'}）"


def _visible_attempt(db_session: Session, user: User, attempt_id: int) -> DeliveryAttempt:
    attempt = db_session.get(DeliveryAttempt, attempt_id)
    if (
        attempt is None
        or attempt.method is not DeliveryMethod.pickup  # the window serves only pickup attempts
        or not can_see_case(db_session=db_session, user=user, case_id=attempt.delivery.case_id)
    ):
        raise NotVisible("来院领取的送达尝试")
    return attempt


def _proxy(body: CheckIn | WalkIn) -> flows.Proxy | None:
    return flows.Proxy(**body.proxy.model_dump()) if body.proxy else None


def _refused(
    db_session: Session, request: Request, user: User, error: Exception, detail: dict[str, Any], case_id: int
) -> JSONResponse:
    # Returned, not raised, so that the audit row is committed with the request.
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="pickup_identity_refused",
        object_type="pickup",
        case_id=case_id,
        client_ip=client_ip(request),
        detail=detail,
    )
    return JSONResponse({"detail": str(error)}, status_code=409)


@window_router.get("/windows", response_model=list[WindowRead])
def windows(db_session: SessionDep, user: CurrentUser) -> list[WindowRead]:
    court_id = _court_of(user)
    return [
        WindowRead.of(window)
        for window in service.list_windows(db_session=db_session)
        if window.is_active and (court_id is None or window.court_id in (None, court_id))
    ]


@window_router.get("/bookings", response_model=list[WindowBooking])
def day_bookings(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    day: Annotated[date | None, Query(alias="date")] = None,
) -> list[WindowBooking]:
    """The day's appointments (default today, court time) by slot, with their parties and documents."""
    if user.role is Role.clerk and user.court_id is None:
        return []
    bookings = service.bookings_on(db_session=db_session, day=day or court_today(), court_id=_court_of(user))
    items = [_booking_read(booking) for booking in bookings]
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="pickup_bookings_read",
        object_type="pickup",
        detail={"date": str(day or court_today()), "booking_ids": [item.id for item in items]},
    )
    return items


def _booking_for_check_in(db_session: Session, user: User, body: CheckIn) -> PickupBooking:
    if body.code or body.booking_id:
        query = select(PickupBooking).where(
            PickupBooking.code == body.code.strip() if body.code else PickupBooking.id == body.booking_id
        )
        booking = db_session.scalars(query).first()
        if booking is None or not can_see_case(
            db_session=db_session, user=user, case_id=booking.delivery.case_id
        ):
            raise NotVisible("预约")
        return booking
    today = service.bookings_on(db_session=db_session, day=court_today(), court_id=_court_of(user))
    found = flows.find_booking_for_id(bookings=today, id_number=body.id_number)
    if found is None:
        raise InvalidRequest("今日没有该证件号码的待签到预约；未预约的当事人请在「现场来院」中查找")
    return found


@window_router.post("/check-in", response_model=WindowAttempt)
def check_in(body: CheckIn, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    """Check a party in by ID number, appointment code or booking, with the identity check recorded."""
    with service_errors():
        booking = _booking_for_check_in(db_session, user, body)
        try:
            attempt = flows.check_in(
                db_session=db_session,
                actor=user,
                booking=booking,
                id_number=body.id_number,
                proxy=_proxy(body),
                now=utcnow(),
            )
        except flows.IdentityMismatch as error:
            detail = {
                "booking_id": booking.id,
                "party_id": booking.party_id,
                "id_shown": flows.masked(body.id_number),
            }
            return _refused(db_session, request, user, error, detail, booking.delivery.case_id)
    db_session.commit()
    return _attempt_read(db_session, attempt)


@window_router.get("/walk-ins", response_model=list[WalkInCandidate])
def find_walk_in(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    q: Annotated[str, Query(min_length=2, max_length=50)],
) -> list[WalkInCandidate]:
    """Open deliveries whose party name, ID number or case number matches Q (a party without appointment)."""
    text = q.strip()
    match = or_(
        Party.name.contains(text),
        Party.id_number == flows.normalise_id(text),
        Case.case_number.contains(text),
    )
    query = (
        select(Delivery)
        .join(Party, Party.id == Delivery.party_id)
        .join(Case, Case.id == Delivery.case_id)
        .where(
            match,
            Delivery.status.in_([DeliveryStatus.pending, DeliveryStatus.in_progress]),
            case_visible(user, Delivery.case_id),
            ~exists().where(
                DeliveryAttempt.delivery_id == Delivery.id,
                DeliveryAttempt.status == AttemptStatus.in_progress,
            ),
        )
        .order_by(Delivery.deadline, Delivery.id)
        .limit(SEARCH_LIMIT)
    )
    found = list(db_session.scalars(query))
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="pickup_walk_in_search",
        object_type="delivery",
        detail={"query_length": len(text), "delivery_ids": [delivery.id for delivery in found]},
    )
    return [
        WalkInCandidate(
            delivery_id=delivery.id,
            party_name=delivery.party.name,
            party_id_masked=flows.masked(delivery.party.id_number),
            case_number=delivery.case.case_number,
            documents=_documents(delivery),
            deadline=delivery.deadline,
        )
        for delivery in found
    ]


@window_router.post("/walk-ins", response_model=WindowAttempt)
def walk_in(body: WalkIn, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    """Serve a party who came without an appointment: the identity check opens a pickup attempt."""
    with service_errors():
        delivery = db_session.get(Delivery, body.delivery_id)
        if delivery is None or not can_see_case(db_session=db_session, user=user, case_id=delivery.case_id):
            raise NotVisible("送达任务")
        window = db_session.get(PickupWindow, body.window_id)
        if window is None or not window.is_active:
            raise NotVisible("领取窗口")
        try:
            attempt = flows.walk_in(
                db_session=db_session,
                actor=user,
                delivery=delivery,
                window=window,
                id_number=body.id_number,
                proxy=_proxy(body),
                now=utcnow(),
            )
        except flows.IdentityMismatch as error:
            detail = {
                "delivery_id": delivery.id,
                "party_id": delivery.party_id,
                "id_shown": flows.masked(body.id_number),
            }
            return _refused(db_session, request, user, error, detail, delivery.case_id)
    db_session.commit()
    return _attempt_read(db_session, attempt)


@window_router.get("/attempts/{attempt_id}", response_model=WindowAttempt)
def attempt_at_window(attempt_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> Any:
    with service_errors():
        attempt = _visible_attempt(db_session, user, attempt_id)
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="pickup_attempt_read",
        object_type="delivery_attempt",
        object_id=attempt.id,
        case_id=attempt.delivery.case_id,
    )
    return _attempt_read(db_session, attempt)


@window_router.post("/attempts/{attempt_id}/hand-over", response_model=WindowAttempt)
def hand_over(attempt_id: int, body: HandOver, user: CurrentUser, db_session: SessionDep) -> Any:
    """The documents handed over, with their hashes, and the moment."""
    with service_errors():
        attempt = _visible_attempt(db_session, user, attempt_id)
        flows.hand_over(
            db_session=db_session, actor=user, attempt=attempt, document_ids=body.document_ids, now=utcnow()
        )
    db_session.commit()
    return _attempt_read(db_session, attempt)


@window_router.post("/attempts/{attempt_id}/signatures/receipt", response_model=WindowAttempt)
def sign_receipt(attempt_id: int, body: SignatureCapture, user: CurrentUser, db_session: SessionDep) -> Any:
    """The party's signature of the 送达回证 (strokes and PNG kept as evidence)."""
    with service_errors():
        attempt = _visible_attempt(db_session, user, attempt_id)
        flows.sign_receipt(db_session=db_session, actor=user, attempt=attempt, capture=body, now=utcnow())
    db_session.commit()
    return _attempt_read(db_session, attempt)


@window_router.post("/attempts/{attempt_id}/signatures/address-confirmation", response_model=WindowAttempt)
def sign_address_confirmation(
    attempt_id: int, body: AddressConfirmationSign, user: CurrentUser, db_session: SessionDep
) -> Any:
    """The party's signed 送达地址确认书: the addresses confirmed and the consent to e-delivery."""
    with service_errors():
        attempt = _visible_attempt(db_session, user, attempt_id)
        flows.sign_address_confirmation(
            db_session=db_session,
            actor=user,
            attempt=attempt,
            capture=SignatureCapture(strokes=body.strokes, png_data_url=body.png_data_url),
            confirmed=ConfirmedAddresses(
                postal_address=(body.postal_address or "").strip() or None,
                mobile=(body.mobile or "").strip() or None,
                email=(body.email or "").strip() or None,
                consents_to_electronic=body.consents_to_electronic,
            ),
            now=utcnow(),
        )
    db_session.commit()
    return _attempt_read(db_session, attempt)


@window_router.post("/attempts/{attempt_id}/refusal", response_model=WindowAttempt)
def refusal(attempt_id: int, body: Refusal, user: CurrentUser, db_session: SessionDep) -> Any:
    """The party refused to sign: the clerk's note and the witness (留置送达)."""
    with service_errors():
        attempt = _visible_attempt(db_session, user, attempt_id)
        flows.record_refusal(
            db_session=db_session,
            actor=user,
            attempt=attempt,
            note=body.note,
            witness=body.witness,
            now=utcnow(),
        )
    db_session.commit()
    return _attempt_read(db_session, attempt)


@window_router.post("/attempts/{attempt_id}/authorisation", response_model=WindowAttempt)
async def upload_authorisation(
    attempt_id: int,
    file: Annotated[UploadFile, File(description="授权委托书扫描件（PDF/PNG/JPEG）")],
    user: CurrentUser,
    db_session: SessionDep,
) -> Any:
    """The scan of the 授权委托书 an agent or lawyer showed: kept as evidence, listed in the proof."""
    content = await file.read(MAX_SCAN_BYTES + 1)
    with service_errors():
        attempt = _visible_attempt(db_session, user, attempt_id)
        flows.file_authorisation(
            db_session=db_session,
            actor=user,
            attempt=attempt,
            content=content,
            filename=file.filename,
            now=utcnow(),
        )
    db_session.commit()
    return _attempt_read(db_session, attempt)


@window_router.post("/attempts/{attempt_id}/serve", response_model=WindowAttempt)
def serve(attempt_id: int, body: WindowServe, user: CurrentUser, db_session: SessionDep) -> Any:
    """Serve through the pickup channel; 409 naming each fact still missing."""
    with service_errors():
        attempt = _visible_attempt(db_session, user, attempt_id)
        flows.serve(db_session=db_session, actor=user, attempt=attempt, outcome=AttemptOutcome(body.outcome))
    db_session.commit()
    return _attempt_read(db_session, attempt)
