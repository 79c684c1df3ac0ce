"""A visit at the door, from the officer's phone: arrival check-in with the GPS position, photos, video and
signatures as evidence in the case's chain, and the result: served or left (through the field channel,
only with every fact it requires), or a failed visit, after which the router plans the next method."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.clock import BEIJING
from backend.core.errors import InvalidRequest, NotVisible, RuleViolation
from backend.deliveries import attempts as attempt_service
from backend.deliveries import planning, serving
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.models import DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import record_fact
from backend.evidence.models import Evidence
from backend.evidence.service import attempt_evidence_items, store_evidence
from backend.field import media as field_media
from backend.field.enums import (
    ADDRESS_FAILURES,
    FAILURE_OUTCOMES,
    SERVING_RESULTS,
    VISIT_RESULT_LABELS,
    VisitResult,
)
from backend.field.models import FieldAssignment, TrackPoint
from backend.field.stats import leg_track_m
from backend.parties import contacts
from backend.parties.enums import ContactState
from backend.parties.models import ContactPoint
from backend.signatures import service as signatures
from backend.signatures.schemas import SignatureCapture
from backend.signatures.service import StoredSignature

SOURCE = "field_visit"
OFFLINE_FOR = timedelta(hours=12)  # the longest a phone may hold a check-in without signal
CLOCK_SKEW = timedelta(minutes=5)
QUEUED_AFTER = timedelta(minutes=2)  # a check-in older than this was queued on the phone


def own_assignment(*, db_session: Session, officer: User, assignment_id: int) -> FieldAssignment:
    """The officer's own visit (another officer's is not visible)."""
    assignment = db_session.get(FieldAssignment, assignment_id)
    if assignment is None or assignment.officer_user_id != officer.id:
        raise NotVisible("外出送达任务")
    return assignment


def _report(
    db_session: Session, officer: User, assignment: FieldAssignment, record: dict[str, Any]
) -> Evidence:
    content = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str).encode()
    return store_evidence(
        db_session=db_session,
        case_id=assignment.attempt.delivery.case_id,
        kind=EvidenceKind.delivery_report,
        content=content,
        content_type="application/json",
        metadata={"record": record["record"]},
        created_by_user=officer,
        attempt_id=assignment.attempt_id,
    )


def officer_label(officer: User) -> str:
    return f"{officer.full_name}（{officer.username}）"


def check_in(
    *,
    db_session: Session,
    officer: User,
    assignment: FieldAssignment,
    lon: float,
    lat: float,
    accuracy_m: float,
    phone_time: datetime | None,
    now: datetime,
) -> FieldAssignment:
    """Arrival at the address: the attempt starts; address, GPS position, time and officer become facts.
    A check-in the phone queued without signal counts at the phone's time (both times are kept); the same
    check-in sent again is answered as it was."""
    attempt = assignment.attempt
    if assignment.checked_in_at is not None:
        if (assignment.visit_lon, assignment.visit_lat) == (lon, lat):
            return assignment  # the phone sent it again (its answer was lost)
        raise RuleViolation("本次送达已签到，不能重复签到")
    if attempt.status is AttemptStatus.planned:
        attempt_service.transition_attempt(
            db_session=db_session, actor=officer, attempt=attempt, status=AttemptStatus.in_progress
        )
    elif attempt.status is not AttemptStatus.in_progress:
        raise RuleViolation("该送达尝试已结束，不能签到")
    gps = f"{lon:.6f},{lat:.6f} ±{accuracy_m:.0f} 米（WGS-84）"
    visited = visit_moment(phone_time, now)
    record = {
        "record": "field_check_in",
        "attempt_id": attempt.id,
        "address": assignment.address,
        "gps": {"lon": lon, "lat": lat, "accuracy_m": accuracy_m},
        "received_at": now.isoformat(),
        "phone_time": phone_time.isoformat() if phone_time else None,
        "visited_at": visited.isoformat(),
        "sent_later": visited < now - QUEUED_AFTER,
        "officer": officer_label(officer),
    }
    evidence = _report(db_session, officer, assignment, record)
    for key, value in (
        ("address", assignment.address),
        ("gps", gps),
        ("visited_at", visited),
        ("officer", officer_label(officer)),
    ):
        record_fact(
            db_session=db_session, attempt=attempt, key=key, value=value, evidence=evidence, actor=officer
        )
    assignment.checked_in_at, assignment.visit_evidence_id = visited, evidence.id
    assignment.visit_lon, assignment.visit_lat, assignment.visit_accuracy_m = lon, lat, accuracy_m
    return assignment


def visit_moment(phone_time: datetime | None, now: datetime) -> datetime:
    """When the officer was at the door: the phone's time for a check-in queued without signal (if it is
    plausible: within the last OFFLINE_FOR, not ahead of the server), else the moment it arrived."""
    if phone_time is None or not now - OFFLINE_FOR <= phone_time <= now + CLOCK_SKEW:
        return now
    return min(phone_time, now)


def require_open_visit(assignment: FieldAssignment) -> DeliveryAttempt:
    if assignment.checked_in_at is None:
        raise RuleViolation("请先在现场签到（记录 GPS 位置和到达时间）")
    if assignment.attempt.status is not AttemptStatus.in_progress:
        raise RuleViolation("该送达尝试已结束")
    return assignment.attempt


def add_media(
    *,
    db_session: Session,
    officer: User,
    assignment: FieldAssignment,
    purpose: field_media.MediaPurpose,
    filename: str,
    content: bytes,
    claimed_sha256: str | None,
    now: datetime,
) -> Evidence:
    """Keep a photo, video or signature sent whole; the first of its kind becomes the fact it proves."""
    require_open_visit(assignment)
    content_type = field_media.check_media(
        purpose=purpose, filename=filename, content=content, claimed_sha256=claimed_sha256
    )
    return keep_media(
        db_session=db_session,
        officer=officer,
        assignment=assignment,
        purpose=purpose,
        filename=filename,
        content_type=content_type,
        content=content,
        now=now,
    )


def keep_media(
    *,
    db_session: Session,
    officer: User,
    assignment: FieldAssignment,
    purpose: field_media.MediaPurpose,
    filename: str,
    content_type: str,
    now: datetime,
    content: bytes | None = None,
    source_path: Path | None = None,
    captured_at: datetime | None = None,
) -> Evidence:
    """File a checked photo, video or signature in the case's chain (the same file twice is kept once);
    the first of its kind becomes the fact it proves."""
    attempt = require_open_visit(assignment)
    kind = field_media.MEDIA_KINDS[purpose]
    metadata: dict[str, Any] = {"purpose": purpose.value, "filename": filename}
    metadata["received_at"] = now.isoformat()
    if captured_at is not None:
        metadata["captured_at"] = captured_at.isoformat()
    if purpose in SIGNERS:
        metadata |= {"signer": SIGNERS[purpose], "signed_document": SIGNED_DOCUMENTS[purpose]}
    evidence = store_evidence(
        db_session=db_session,
        case_id=attempt.delivery.case_id,
        kind=kind.evidence_kind,
        content=content,
        source_path=source_path,
        content_type=content_type,
        metadata=metadata,
        created_by_user=officer,
        attempt_id=attempt.id,
    )
    if purpose is not field_media.MediaPurpose.witness_signature and not _has_fact(attempt, purpose.value):
        value = f"{kind.label}（SHA-256 {evidence.sha256}，{evidence.size_bytes} 字节）"
        record_fact(
            db_session=db_session,
            attempt=attempt,
            key=purpose.value,
            value=value,
            evidence=evidence,
            actor=officer,
        )
    return evidence


def _has_fact(attempt: DeliveryAttempt, key: str) -> bool:
    return any(fact.key == key for fact in attempt.facts)


SIGNERS = {
    field_media.MediaPurpose.signature: "签收人",
    field_media.MediaPurpose.witness_signature: "见证人",
}
SIGNED_DOCUMENTS = {
    field_media.MediaPurpose.signature: "送达回证",
    field_media.MediaPurpose.witness_signature: "留置送达见证",
}


def sign(
    *,
    db_session: Session,
    officer: User,
    assignment: FieldAssignment,
    purpose: field_media.MediaPurpose,
    signer: str,
    capture: SignatureCapture,
    signed_at: datetime,
) -> StoredSignature:
    """The recipient (送达回证) or the witness of a refusal (留置送达) signed on the officer's phone: strokes
    and PNG filed; the recipient's signature becomes the signature fact (the witness's, the witness fact
    when the result is recorded). Sent again, the same drawing is kept once."""
    attempt = require_open_visit(assignment)
    if purpose not in SIGNERS:
        raise InvalidRequest("签名只能是签收人签名或见证人签名")
    signer = " ".join(signer.split())
    if not signer:
        raise InvalidRequest(f"请填写{SIGNERS[purpose]}姓名")
    stored = signatures.store_signature(
        db_session=db_session,
        capture=capture,
        case_id=attempt.delivery.case_id,
        attempt_id=attempt.id,
        signer=signer,
        signed_document=SIGNED_DOCUMENTS[purpose],
        actor=officer,
        context={
            "signed_at": signed_at.isoformat(),
            "method": attempt.method.value,
            "purpose": purpose.value,
            "role": SIGNERS[purpose],
        },
    )
    if purpose is field_media.MediaPurpose.signature and not _has_fact(attempt, "signature"):
        local = signed_at.astimezone(BEIJING)
        value = (
            f"{signer}于{local:%Y-%m-%d %H:%M}在送达人员手机上签署送达回证"
            f"（签名图 SHA-256 {stored.image.sha256}，笔迹 {stored.points} 点）"
        )
        record_fact(
            db_session=db_session,
            attempt=attempt,
            key="signature",
            value=value,
            evidence=stored.image,
            actor=officer,
        )
    return stored


def _witness_signature(db_session: Session, attempt: DeliveryAttempt) -> Evidence | None:
    items = attempt_evidence_items(db_session=db_session, attempt_id=attempt.id)
    return next(
        (
            item
            for item in reversed(items)
            if (item.metadata_json or {}).get("purpose") == field_media.MediaPurpose.witness_signature.value
            and item.content_type == "image/png"
        ),
        None,
    )


def _mileage(db_session: Session, assignment: FieldAssignment) -> str | None:
    """This trip's kilometres: the GPS track since the previous visit, else the planned leg (so stated)."""
    track_m = leg_track_m(db_session=db_session, assignment=assignment)
    if track_m > 0:
        return f"{track_m / 1000:.2f}（GPS轨迹）"
    if assignment.leg_m is not None:
        return f"{assignment.leg_m / 1000:.2f}（规划路线，无GPS轨迹）"
    return None


def finish_visit(
    *,
    db_session: Session,
    officer: User,
    assignment: FieldAssignment,
    result: VisitResult,
    received_by: str | None,
    refusal_note: str | None,
    witness_name: str | None,
    notes: str | None,
    now: datetime,
) -> DeliveryAttempt | None:
    """Record the visit's result; served or left serves through the channel (409 naming missing facts),
    a failed visit fails the attempt (its reason as the outcome) and returns the next one the router
    planned. The same result sent again (the phone's queue retrying) is answered as it was."""
    if assignment.result == result.value and assignment.attempt.status is not AttemptStatus.in_progress:
        return _following(assignment.attempt)
    attempt = require_open_visit(assignment)
    mileage = _mileage(db_session, assignment)
    record = {
        "record": "field_result",
        "attempt_id": attempt.id,
        "result": result.value,
        "result_label": VISIT_RESULT_LABELS[result],
        "received_by": (received_by or "").strip() or None,
        "refusal_note": (refusal_note or "").strip() or None,
        "witness_name": (witness_name or "").strip() or None,
        "notes": (notes or "").strip() or None,
        "mileage_km": mileage,
        "officer": officer_label(officer),
        "at": now.isoformat(),
    }
    report = _report(db_session, officer, assignment, record)
    assignment.finished_at, assignment.result = now, result.value
    if result in SERVING_RESULTS:
        _record_result_facts(db_session, officer, attempt, report, record)
        serving.serve_attempt(
            db_session=db_session, actor=officer, attempt=attempt, outcome=SERVING_RESULTS[result]
        )
        return None
    if result in ADDRESS_FAILURES:
        _invalidate_address(db_session, officer, attempt, VISIT_RESULT_LABELS[result])
    return planning.fail_and_plan_next(
        db_session=db_session,
        actor=officer,
        attempt=attempt,
        outcome=FAILURE_OUTCOMES[result],
        now=now,
        notes=f"外出送达未成功：{VISIT_RESULT_LABELS[result]}"
        + (f"（{record['notes']}）" if record["notes"] else ""),
    )


def _following(attempt: DeliveryAttempt) -> DeliveryAttempt | None:
    """The attempt planned after ATTEMPT failed, if any (None when it served)."""
    if attempt.status is not AttemptStatus.failed:
        return None
    return next((a for a in attempt.delivery.attempts if a.status is AttemptStatus.planned), None)


def _record_result_facts(
    db_session: Session, officer: User, attempt: DeliveryAttempt, report: Evidence, record: dict[str, Any]
) -> None:
    values = {
        "received_by": record["received_by"],
        "refusal_note": record["refusal_note"],
        "mileage_km": record["mileage_km"],
    }
    for key, value in values.items():
        if value:
            record_fact(
                db_session=db_session, attempt=attempt, key=key, value=value, evidence=report, actor=officer
            )
    signature = _witness_signature(db_session, attempt)
    signed_as = (signature.metadata_json or {}) if signature is not None else {}
    signed_by = signed_as.get("signer") if signed_as.get("role") == "见证人" else None
    witness = record["witness_name"] or signed_by
    if witness and signature is not None:
        value = f"见证人 {witness}（签名证据 #{signature.id}，SHA-256 {signature.sha256}）"
        record_fact(
            db_session=db_session,
            attempt=attempt,
            key="witness",
            value=value,
            evidence=signature,
            actor=officer,
        )


def _invalidate_address(db_session: Session, officer: User, attempt: DeliveryAttempt, why: str) -> None:
    point = db_session.get(ContactPoint, attempt.contact_point_id) if attempt.contact_point_id else None
    if point is not None:
        contacts.mark_contact_point(
            contact_point=point,
            state=ContactState.invalid,
            actor=officer,
            note=f"外出送达核实：{why}",
            source=SOURCE,
        )


def add_track(
    *, db_session: Session, officer: User, fixes: list[tuple[datetime, float, float, float]]
) -> int:
    """Keep the positions the phone sent (a position sent twice is kept once); returns how many were new."""
    if not fixes:
        return 0
    moments = [at.astimezone(UTC) for at, *_ in fixes]
    query = select(TrackPoint.at).where(TrackPoint.officer_user_id == officer.id, TrackPoint.at.in_(moments))
    known = {at.astimezone(UTC) for at in db_session.scalars(query)}
    added = 0
    for at, lon, lat, accuracy in sorted(fixes):
        moment = at.astimezone(UTC)
        if moment in known:
            continue
        known.add(moment)
        db_session.add(
            TrackPoint(officer_user_id=officer.id, at=moment, lon=lon, lat=lat, accuracy_m=accuracy)
        )
        added += 1
    db_session.flush()
    return added
