"""What a party does in the portal, as evidence on the delivery's electronic attempt: each opening of a
document (time, IP, device, pages shown), the first view (the legal service date where the address was
not confirmed), the handwritten signature of the 送达回证, a request for paper, and the online
送达地址确认书. Signing serves the attempt; a party who viewed but does not sign is served on the first
view once SONGDA_PORTAL_SIGN_WAIT_MINUTES have passed (serve_viewed_attempts)."""

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.core.clock import BEIJING
from backend.core.errors import InvalidRequest, RuleViolation
from backend.deliveries import attempts as attempt_service
from backend.deliveries import serving
from backend.deliveries.confirmations import ConfirmedAddresses, confirm_signed_addresses
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import AddressConfirmation, AttemptFact, Delivery, DeliveryAttempt
from backend.documents.models import Document
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import record_fact
from backend.evidence.models import Evidence
from backend.evidence.service import store_evidence
from backend.portal.models import DocumentView, PaperRequest, PortalSession
from backend.portal.sessions import electronic_attempt
from backend.signatures import service as signatures
from backend.signatures.schemas import SignatureCapture

SYSTEM = "portal"
PORTAL_SOURCE = "party_portal"
PAPER_WAYS = {"postal": "邮寄", "pickup": "来院领取"}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"


def _open_attempt(delivery: Delivery) -> DeliveryAttempt | None:
    attempt = electronic_attempt(delivery)
    return attempt if attempt is not None and attempt.status is AttemptStatus.in_progress else None


def _file(db_session: Session, attempt: DeliveryAttempt, record: str, body: dict[str, Any]) -> Evidence:
    return store_evidence(
        db_session=db_session,
        case_id=attempt.delivery.case_id,
        kind=EvidenceKind.other,
        content=json.dumps({"type": record, **body}, ensure_ascii=False, default=str, indent=1).encode(),
        content_type="application/json",
        metadata={"record": record},
        created_by_system=SYSTEM,
        attempt_id=attempt.id,
    )


def _fact_once(
    db_session: Session, attempt: DeliveryAttempt, key: str, value: Any, evidence: Evidence
) -> None:
    if key not in recorded_facts(db_session=db_session, attempt_id=attempt.id):
        record_fact(
            db_session=db_session, attempt=attempt, key=key, value=value, evidence=evidence, system=SYSTEM
        )


def open_document(
    *,
    db_session: Session,
    session: PortalSession,
    delivery: Delivery,
    document: Document,
    client_ip: str,
    user_agent: str,
    now: datetime,
) -> DocumentView:
    """The party's browser fetched DOCUMENT: one view, whose pages the page reports as it shows them."""
    view = DocumentView(
        session_id=session.id,
        delivery_id=delivery.id,
        document_id=document.id,
        opened_at=now,
        client_ip=client_ip,
        user_agent=user_agent[:300],
    )
    db_session.add(view)
    db_session.flush()
    return view


def _view_line(view: DocumentView, names: dict[int, str]) -> str:
    pages = "、".join(str(page) for page in sorted(view.pages)) or "未显示"
    of = f"/共{view.page_count}页" if view.page_count else ""
    return (
        f"{_local(view.opened_at)} 查阅《{names.get(view.document_id, '文书')}》第{pages}页{of}"
        f"（IP {view.client_ip}；设备 {view.user_agent}）"
    )


def record_pages(
    *, db_session: Session, view: DocumentView, pages: list[int], page_count: int, delivery: Delivery
) -> DocumentView:
    """Pages of VIEW the party's screen showed; the first shown page of the delivery is its first view."""
    if page_count < 1 or any(page < 1 or page > page_count for page in pages):
        raise InvalidRequest("页码有误")
    view.pages = sorted(set(view.pages) | set(pages))
    view.page_count = page_count
    attempt = _open_attempt(delivery)
    if attempt is not None and view.pages:
        document = next(doc for doc in delivery.documents if doc.id == view.document_id)
        body = {
            "document": {"id": document.id, "name": document.name, "sha256": document.sha256},
            "opened_at": view.opened_at,
            "pages": view.pages,
            "page_count": page_count,
            "client_ip": view.client_ip,
            "user_agent": view.user_agent,
        }
        if "viewed_at" not in recorded_facts(db_session=db_session, attempt_id=attempt.id):
            evidence = _file(db_session, attempt, "portal_first_view", body)
            _fact_once(db_session, attempt, "viewed_at", view.opened_at, evidence)
    db_session.flush()
    return view


def _views(db_session: Session, delivery: Delivery) -> list[DocumentView]:
    query = select(DocumentView).where(DocumentView.delivery_id == delivery.id).order_by(DocumentView.id)
    return list(db_session.scalars(query))


def _record_view_log(db_session: Session, attempt: DeliveryAttempt) -> None:
    """Every view of the delivery so far, filed once as the attempt's view log."""
    delivery = attempt.delivery
    names = {document.id: document.name for document in delivery.documents}
    views = [view for view in _views(db_session, delivery) if view.pages]
    if not views:
        return
    lines = [_view_line(view, names) for view in views]
    rows = [
        {
            "document": names.get(view.document_id),
            "opened_at": view.opened_at,
            "pages": view.pages,
            "page_count": view.page_count,
            "client_ip": view.client_ip,
            "user_agent": view.user_agent,
        }
        for view in views
    ]
    evidence = _file(db_session, attempt, "portal_view_log", {"views": rows})
    _fact_once(db_session, attempt, "view_log", "；".join(lines), evidence)


def viewed_documents(*, db_session: Session, delivery: Delivery) -> set[int]:
    return {view.document_id for view in _views(db_session, delivery) if view.pages}


def confirmation_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def sign_receipt(
    *,
    db_session: Session,
    delivery: Delivery,
    capture: SignatureCapture,
    client_ip: str,
    user_agent: str,
    now: datetime,
) -> tuple[DeliveryAttempt, str]:
    """The party signed the 送达回证 after viewing every document: signature filed, attempt served.
    Returns the attempt and the confirmation code the party keeps (printed on the proof too)."""
    attempt = _open_attempt(delivery)
    if attempt is None:
        raise RuleViolation("该文书的电子送达已办结，无需再签收")
    if viewed_documents(db_session=db_session, delivery=delivery) != {doc.id for doc in delivery.documents}:
        raise RuleViolation("请先查阅全部文书后再签收")
    party = delivery.party
    code = confirmation_code()
    stored = signatures.store_signature(
        db_session=db_session,
        capture=capture,
        case_id=delivery.case_id,
        attempt_id=attempt.id,
        signer=party.name,
        signed_document="送达回证",
        actor=None,
        system=SYSTEM,
        context={
            "signed_at": now.isoformat(),
            "method": DeliveryMethod.electronic.value,
            "client_ip": client_ip,
            "user_agent": user_agent[:300],
            "confirmation_code": code,
        },
    )
    _record_view_log(db_session, attempt)
    signature = (
        f"{party.name}于{_local(now)}在当事人门户手写签署送达回证（签名图 SHA-256 {stored.image.sha256}，"
        f"笔迹 {stored.points} 点；IP {client_ip}；设备 {user_agent[:200]}；确认码 {code}）"
    )
    _fact_once(db_session, attempt, "signed_at", now, stored.image)
    _fact_once(db_session, attempt, "signature", signature, stored.image)
    serving.serve_attempt(db_session=db_session, actor=None, attempt=attempt, outcome=AttemptOutcome.served)
    return attempt, code


def serve_viewed_attempts(*, db_session: Session, now: datetime) -> list[int]:
    """Serve, on their first view, the electronic attempts viewed long enough ago and still unsigned."""
    waited = now - timedelta(minutes=get_settings().portal_sign_wait_minutes)
    query = (
        select(DeliveryAttempt)
        .join(AttemptFact, AttemptFact.attempt_id == DeliveryAttempt.id)
        .where(
            DeliveryAttempt.method == DeliveryMethod.electronic,
            DeliveryAttempt.status == AttemptStatus.in_progress,
            AttemptFact.key == "viewed_at",
            AttemptFact.recorded_at <= waited,
        )
        .order_by(DeliveryAttempt.id)
        .limit(100)
        .with_for_update(skip_locked=True)
    )
    served = []
    for attempt in db_session.scalars(query).all():
        _record_view_log(db_session, attempt)
        serving.serve_attempt(
            db_session=db_session, actor=None, attempt=attempt, outcome=AttemptOutcome.served
        )
        served.append(attempt.id)
    return served


def request_paper(
    *,
    db_session: Session,
    delivery: Delivery,
    way: str,
    postal_address: str | None,
    client_ip: str,
    user_agent: str,
    now: datetime,
) -> PaperRequest:
    """The party asked for paper copies: filed as evidence, stated on an open attempt's proof, and, while
    the delivery is open, a postal or pickup attempt planned within 24 hours (else listed for staff)."""
    if way not in PAPER_WAYS:
        raise InvalidRequest("请选择邮寄或来院领取")
    address = (postal_address or "").strip() or None
    if way == "postal" and not address:
        raise InvalidRequest("邮寄纸质文书须填写收件地址")
    attempt = electronic_attempt(delivery)
    if attempt is None:
        raise RuleViolation("该文书未经电子送达")
    text = f"受送达人于{_local(now)}申请{PAPER_WAYS[way]}纸质文书"
    text += f"（收件地址：{address}）" if address else ""
    body = {"way": way, "postal_address": address, "requested_at": now, "client_ip": client_ip}
    evidence = _file(db_session, attempt, "portal_paper_request", {**body, "user_agent": user_agent[:300]})
    if attempt.status is AttemptStatus.in_progress:
        _fact_once(db_session, attempt, "paper_requested", text, evidence)
    planned = None
    if delivery.status.value not in ("served", "cancelled"):
        method = DeliveryMethod.postal if way == "postal" else DeliveryMethod.pickup
        planned = attempt_service.add_attempt(
            db_session=db_session,
            actor=None,
            delivery=delivery,
            method=method,
            planned_at=now,
            start_by=now + timedelta(hours=24),
            notes=text,
        )
    request = PaperRequest(
        delivery_id=delivery.id,
        way=way,
        postal_address=address,
        evidence_id=evidence.id,
        planned_attempt_id=planned.id if planned else None,
        requested_at=now,
    )
    db_session.add(request)
    db_session.flush()
    return request


def confirm_addresses(
    *,
    db_session: Session,
    delivery: Delivery,
    confirmed: ConfirmedAddresses,
    capture: SignatureCapture,
    client_ip: str,
    user_agent: str,
    now: datetime,
) -> AddressConfirmation:
    """The party filled in and signed the 送达地址确认书 online: filed with the signature, recorded for
    later deliveries (with consent to e-delivery where given), and the addresses marked verified."""
    confirmed.check()
    attempt = electronic_attempt(delivery)
    party = delivery.party
    stored = signatures.store_signature(
        db_session=db_session,
        capture=capture,
        case_id=delivery.case_id,
        attempt_id=attempt.id if attempt else None,
        signer=party.name,
        signed_document="送达地址确认书",
        actor=None,
        system=SYSTEM,
        context={"signed_at": now.isoformat(), "client_ip": client_ip, "user_agent": user_agent[:300]},
    )
    form = store_evidence(
        db_session=db_session,
        case_id=delivery.case_id,
        kind=EvidenceKind.address_confirmation,
        content=json.dumps(
            {
                "type": "address_confirmation",
                "party": party.name,
                "signed_at": now,
                "postal_address": confirmed.postal_address,
                "mobile": confirmed.mobile,
                "email": confirmed.email,
                "consents_to_electronic": confirmed.consents_to_electronic,
                "text": confirmed.text(),
                "signature_evidence_id": stored.image.id,
                "signature_sha256": stored.image.sha256,
                "client_ip": client_ip,
                "user_agent": user_agent[:300],
            },
            ensure_ascii=False,
            default=str,
        ).encode(),
        content_type="application/json",
        metadata={"record": "address_confirmation", "via": SYSTEM},
        created_by_system=SYSTEM,
        attempt_id=attempt.id if attempt else None,
    )
    return confirm_signed_addresses(
        db_session=db_session,
        actor=None,
        delivery=delivery,
        obtained_via=DeliveryMethod.electronic,
        evidence_id=form.id,
        confirmed=confirmed,
        note="当事人在当事人门户签署送达地址确认书",
        source=PORTAL_SOURCE,
    )
