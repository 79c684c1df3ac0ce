"""The window clerk's day: check-in with the identity check, hand-over, the party's signatures (or the
refusal with a witness), and serving through the pickup channel. Every step files its record as evidence
in the case's chain and records the facts the pickup proof states, resting on that record."""

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.clock import BEIJING
from backend.core.errors import InvalidRequest, RuleViolation
from backend.deliveries import attempts as attempt_service
from backend.deliveries import serving
from backend.deliveries.confirmations import ConfirmedAddresses, confirm_signed_addresses
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import AddressConfirmation, Delivery, DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import record_fact
from backend.evidence.models import Evidence
from backend.evidence.scans import scan_type
from backend.evidence.service import store_evidence
from backend.parties.models import Party
from backend.pickup import service
from backend.pickup.enums import BookingStatus
from backend.pickup.models import PickupBooking, PickupWindow
from backend.signatures import service as signatures
from backend.signatures.schemas import SignatureCapture

WINDOW_SOURCE = "court_window"
PROXY = "proxy"  # the fact naming the agent or lawyer who collected for the party
AUTHORISATION_SCAN = "authorisation_scan"  # the fact resting on the scan of their 授权委托书


class IdentityMismatch(RuleViolation):
    """The ID shown at the window is not the party's (refused, and audited by the view)."""


@dataclass(frozen=True, slots=True)
class Proxy:
    """An agent or lawyer collecting for the party, with the authorisation they showed (授权委托书)."""

    name: str
    id_number: str
    authorisation: str


def normalise_id(id_number: str) -> str:
    return "".join(id_number.split()).upper()


def masked(id_number: str | None) -> str:
    """An ID number as shown on screen and in the audit: first 3 and last 4 characters."""
    if not id_number:
        return "（无）"
    return f"{id_number[:3]}{'*' * max(len(id_number) - 7, 0)}{id_number[-4:]}"


def clerk_label(actor: User) -> str:
    return f"{actor.full_name}（{actor.username}）"


def _file(
    db_session: Session,
    actor: User,
    attempt: DeliveryAttempt,
    record_type: str,
    payload: dict[str, Any],
    facts: dict[str, Any],
    kind: EvidenceKind = EvidenceKind.other,
) -> Evidence:
    """File the window's record of one step as evidence and record its facts resting on it."""
    body = {"type": record_type, "attempt_id": attempt.id, **payload, "facts": facts}
    item = store_evidence(
        db_session=db_session,
        case_id=attempt.delivery.case_id,
        kind=kind,
        content=json.dumps(body, ensure_ascii=False, default=str).encode(),
        content_type="application/json",
        metadata={"record": record_type},
        created_by_user=actor,
        attempt_id=attempt.id,
    )
    for key, value in facts.items():
        record_fact(db_session=db_session, attempt=attempt, key=key, value=value, evidence=item, actor=actor)
    return item


def identity_text(actor: User, party: Party, shown: str, proxy: Proxy | None) -> str:
    if proxy is not None:
        return (
            f"{clerk_label(actor)}核验代理人{proxy.name}身份证件（{masked(proxy.id_number)}）"
            f"及授权委托书（{proxy.authorisation}），代为领取{party.name}的文书"
        )
    return f"{clerk_label(actor)}核验居民身份证（{masked(shown)}），与受送达人{party.name}人证一致"


def check_identity(*, party: Party, id_number: str, proxy: Proxy | None) -> str:
    """The ID shown, normalised, when it is the party's (or a proxy with an authorisation); else refused."""
    if proxy is not None:
        if not proxy.name.strip() or not normalise_id(proxy.id_number) or not proxy.authorisation.strip():
            raise InvalidRequest("代理人领取须填写代理人姓名、证件号码和授权委托书")
        return normalise_id(proxy.id_number)
    shown = normalise_id(id_number)
    if not shown:
        raise InvalidRequest("请输入或扫描当事人身份证号码")
    if not party.id_number:
        raise InvalidRequest("该当事人为单位或未登记证件号码，须由代理人凭授权委托书领取")
    if shown != normalise_id(party.id_number):
        raise IdentityMismatch(f"证件号码与受送达人{party.name}登记的证件不符，不能领取；请核对证件")
    return shown


def _start(db_session: Session, actor: User, attempt: DeliveryAttempt) -> None:
    if attempt.status is AttemptStatus.planned:
        attempt_service.transition_attempt(
            db_session=db_session, actor=actor, attempt=attempt, status=AttemptStatus.in_progress
        )
    elif attempt.status is not AttemptStatus.in_progress:
        raise RuleViolation("该预约的送达尝试已结束，不能签到")


def find_booking_for_id(*, bookings: list[PickupBooking], id_number: str) -> PickupBooking | None:
    shown = normalise_id(id_number)
    for booking in bookings:
        party = booking.delivery.party
        if (
            booking.status is BookingStatus.booked
            and party.id_number
            and normalise_id(party.id_number) == shown
        ):
            return booking
    return None


def check_in(
    *,
    db_session: Session,
    actor: User,
    booking: PickupBooking,
    id_number: str,
    proxy: Proxy | None,
    now: datetime,
) -> DeliveryAttempt:
    """The party arrived for BOOKING: check the ID, start the attempt, record appointment and identity."""
    if booking.status is not BookingStatus.booked:
        raise RuleViolation("该预约已签到、已领取、已取消或已记为未到，不能再次签到")
    delivery = booking.delivery
    shown = check_identity(party=delivery.party, id_number=id_number, proxy=proxy)
    attempt = db_session.get(DeliveryAttempt, booking.attempt_id) if booking.attempt_id else None
    if attempt is None:
        raise RuleViolation("该预约没有对应的送达尝试")
    _start(db_session, actor, attempt)
    booking.status = BookingStatus.checked_in
    booking.checked_in_at = now
    booking.checked_in_by_user_id = actor.id
    slot = booking.slot
    facts = {
        "appointment": f"{service.local_span(slot)} {slot.window.name}（预约码 {booking.code}）",
        "identity_check": identity_text(actor, delivery.party, shown, proxy),
        "clerk": clerk_label(actor),
    } | _proxy_fact(proxy)
    payload = {"booking_id": booking.id, "checked_in_at": now, "id_shown": masked(shown), "match": True}
    _file(db_session, actor, attempt, "pickup_check_in", payload | _proxy_payload(proxy), facts)
    return attempt


def _proxy_payload(proxy: Proxy | None) -> dict[str, Any]:
    if proxy is None:
        return {}
    return {
        "proxy": {"name": proxy.name, "id": masked(proxy.id_number), "authorisation": proxy.authorisation}
    }


def _proxy_fact(proxy: Proxy | None) -> dict[str, str]:
    if proxy is None:
        return {}
    shown = masked(proxy.id_number)
    return {PROXY: f"代理人{proxy.name}（{shown}）凭授权委托书（{proxy.authorisation}）代为领取"}


def walk_in(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    window: PickupWindow,
    id_number: str,
    proxy: Proxy | None,
    now: datetime,
) -> DeliveryAttempt:
    """A party came without an appointment: check the ID, open a pickup attempt at WINDOW, record it."""
    shown = check_identity(party=delivery.party, id_number=id_number, proxy=proxy)
    attempt = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.pickup,
        planned_at=now,
        notes=f"现场来院领取（{window.name}）",
    )
    _start(db_session, actor, attempt)
    local = now.astimezone(BEIJING)
    facts = {
        "walk_in": f"{local:%Y年%m月%d日 %H:%M} 未预约来院，于{window.name}现场登记",
        "identity_check": identity_text(actor, delivery.party, shown, proxy),
        "clerk": clerk_label(actor),
    } | _proxy_fact(proxy)
    payload = {"window_id": window.id, "arrived_at": now, "id_shown": masked(shown), "match": True}
    _file(db_session, actor, attempt, "pickup_walk_in", payload | _proxy_payload(proxy), facts)
    return attempt


def _in_progress(attempt: DeliveryAttempt) -> None:
    if attempt.method is not DeliveryMethod.pickup:
        raise InvalidRequest("该送达尝试不是来院领取")
    if attempt.status is not AttemptStatus.in_progress:
        raise RuleViolation("该送达尝试未在进行中：请先签到核验身份")


def hand_over(
    *, db_session: Session, actor: User, attempt: DeliveryAttempt, document_ids: list[int], now: datetime
) -> Evidence:
    """The clerk handed the listed documents over: their names and hashes, and the moment."""
    _in_progress(attempt)
    documents = {document.id: document for document in attempt.delivery.documents}
    if not document_ids or any(document_id not in documents for document_id in document_ids):
        raise InvalidRequest("请选择本次送达的文书")
    handed = [documents[document_id] for document_id in dict.fromkeys(document_ids)]
    listing = "；".join(f"{document.name}（SHA-256 {document.sha256}）" for document in handed)
    facts = {"documents_handed": listing, "handed_over_at": now}
    payload = {"documents": [{"id": d.id, "name": d.name, "sha256": d.sha256} for d in handed]}
    return _file(db_session, actor, attempt, "pickup_hand_over", payload, facts)


def sign_receipt(
    *, db_session: Session, actor: User, attempt: DeliveryAttempt, capture: SignatureCapture, now: datetime
) -> signatures.StoredSignature:
    """The party signed the 送达回证 on the screen: strokes and PNG filed, the signature fact recorded."""
    _in_progress(attempt)
    party = attempt.delivery.party
    stored = signatures.store_signature(
        db_session=db_session,
        capture=capture,
        case_id=attempt.delivery.case_id,
        attempt_id=attempt.id,
        signer=party.name,
        signed_document="送达回证",
        actor=actor,
        context={"signed_at": now.isoformat(), "method": DeliveryMethod.pickup.value},
    )
    local = now.astimezone(BEIJING)
    value = (
        f"{party.name}于{local:%Y-%m-%d %H:%M}在窗口签名屏签署送达回证"
        f"（签名图 SHA-256 {stored.image.sha256}，笔迹 {stored.points} 点）"
    )
    record_fact(
        db_session=db_session,
        attempt=attempt,
        key="signature",
        value=value,
        evidence=stored.image,
        actor=actor,
    )
    return stored


def sign_address_confirmation(
    *,
    db_session: Session,
    actor: User,
    attempt: DeliveryAttempt,
    capture: SignatureCapture,
    confirmed: ConfirmedAddresses,
    now: datetime,
) -> AddressConfirmation:
    """The party signed the 送达地址确认书: filed, recorded for later deliveries, contact points verified."""
    _in_progress(attempt)
    confirmed.check()
    delivery = attempt.delivery
    party = delivery.party
    stored = signatures.store_signature(
        db_session=db_session,
        capture=capture,
        case_id=delivery.case_id,
        attempt_id=attempt.id,
        signer=party.name,
        signed_document="送达地址确认书",
        actor=actor,
        context={"signed_at": now.isoformat(), "method": DeliveryMethod.pickup.value},
    )
    text = f"{party.name}签署送达地址确认书：{confirmed.text()}（签名图 SHA-256 {stored.image.sha256}）"
    payload = {
        "party": party.name,
        "signed_at": now,
        "postal_address": confirmed.postal_address,
        "mobile": confirmed.mobile,
        "email": confirmed.email,
        "consents_to_electronic": confirmed.consents_to_electronic,
        "signature_evidence_id": stored.image.id,
        "signature_sha256": stored.image.sha256,
    }
    form = _file(
        db_session,
        actor,
        attempt,
        "address_confirmation",
        payload,
        {"address_confirmation": text},
        kind=EvidenceKind.address_confirmation,
    )
    return confirm_signed_addresses(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        obtained_via=DeliveryMethod.pickup,
        evidence_id=form.id,
        confirmed=confirmed,
        note="当事人在法院窗口签署送达地址确认书",
        source=WINDOW_SOURCE,
    )


def record_refusal(
    *, db_session: Session, actor: User, attempt: DeliveryAttempt, note: str, witness: str, now: datetime
) -> Evidence:
    """The party refused to sign: the clerk's note and the witness (留置送达 at the window)."""
    _in_progress(attempt)
    if not note.strip() or not witness.strip():
        raise InvalidRequest("拒签须填写经办人员说明和见证人")
    local = now.astimezone(BEIJING)
    facts = {
        "refusal_note": f"{local:%Y-%m-%d %H:%M} 受送达人拒绝签收，{clerk_label(actor)}注明：{note.strip()}",
        "witness": witness.strip(),
    }
    return _file(db_session, actor, attempt, "pickup_refusal", {"refused_at": now}, facts)


def file_authorisation(
    *,
    db_session: Session,
    actor: User,
    attempt: DeliveryAttempt,
    content: bytes,
    filename: str | None,
    now: datetime,
) -> Evidence:
    """Keep the scan of the 授权委托书 the agent or lawyer showed at check-in, as evidence of the attempt
    (further pages are kept too; the fact rests on the first)."""
    _in_progress(attempt)
    recorded = recorded_facts(db_session=db_session, attempt_id=attempt.id)
    if PROXY not in recorded:
        raise RuleViolation("受送达人本人领取，无需授权委托书；代理人领取须在签到时登记代理人")
    scan = store_evidence(
        db_session=db_session,
        case_id=attempt.delivery.case_id,
        kind=EvidenceKind.authorisation,
        content=content,
        content_type=scan_type(content),
        metadata={"filename": filename, "record": "pickup_authorisation", "received_at": now.isoformat()},
        created_by_user=actor,
        attempt_id=attempt.id,
    )
    if AUTHORISATION_SCAN not in recorded:
        value = f"{recorded[PROXY]}；授权委托书扫描件（证据 #{scan.id}，SHA-256 {scan.sha256}）"
        record_fact(
            db_session=db_session,
            attempt=attempt,
            key=AUTHORISATION_SCAN,
            value=value,
            evidence=scan,
            actor=actor,
        )
    return scan


def missing_authorisation(recorded: Collection[str]) -> bool:
    """An agent or lawyer collected, and their 授权委托书 is not scanned yet."""
    return PROXY in recorded and AUTHORISATION_SCAN not in recorded


def serve(
    *, db_session: Session, actor: User, attempt: DeliveryAttempt, outcome: AttemptOutcome
) -> DeliveryAttempt:
    """Serve the attempt through the pickup channel (409 naming each fact still missing; an agent's
    collection also needs the scan of their authorisation)."""
    if attempt.method is not DeliveryMethod.pickup:
        raise InvalidRequest("该送达尝试不是来院领取")
    if missing_authorisation(recorded_facts(db_session=db_session, attempt_id=attempt.id)):
        raise RuleViolation("代理人领取，须先上传授权委托书扫描件")
    served = serving.serve_attempt(db_session=db_session, actor=actor, attempt=attempt, outcome=outcome)
    booking = db_session.scalar(select(PickupBooking).where(PickupBooking.attempt_id == attempt.id))
    if booking is not None:
        booking.status = BookingStatus.served
    return served
