"""A letter's legal outcome from its tracking events (and its receipt scan):

- delivered and signed by someone named -> served on the signing date;
- returned (refused or not) to an address the party confirmed, unaltered -> served on the return date,
  once the returned envelope or receipt card is scanned (the proof rests on it);
- otherwise failed, and the router plans the next method within 24 hours.

The decision looks at every stored event, earliest final event first, so the order they arrived in does
not matter. Facts rest on a tracking log stored as evidence in the case's chain.
"""

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.clock import BEIJING
from backend.database import utcnow
from backend.deliveries import planning, serving
from backend.deliveries.enums import AttemptOutcome, AttemptStatus
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import AddressConfirmation, AttemptFact, DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import record_fact
from backend.evidence.models import Evidence
from backend.evidence.service import store_evidence
from backend.postal.enums import FINAL_STATES, TRACE_STATE_LABELS, ItemStatus, TraceState
from backend.postal.models import PostalItem, TrackingEvent

SYSTEM = "postal"


def _events(db_session: Session, item: PostalItem) -> list[TrackingEvent]:
    query = select(TrackingEvent).where(TrackingEvent.item_id == item.id)
    return list(db_session.scalars(query.order_by(TrackingEvent.op_time, TrackingEvent.id)))


def _beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _same_address(left: str, right: str) -> bool:
    return "".join(left.split()) == "".join(right.split())


def signed_confirmation(db_session: Session, item: PostalItem) -> Evidence | None:
    """The party's signed address confirmation (送达地址确认书) naming the address the letter went to."""
    attempt = _attempt(db_session, item)
    query = (
        select(AddressConfirmation)
        .where(
            AddressConfirmation.party_id == attempt.delivery.party_id,
            AddressConfirmation.postal_address.is_not(None),
            AddressConfirmation.evidence_id.is_not(None),
        )
        .order_by(AddressConfirmation.confirmed_at.desc())
    )
    for confirmation in db_session.scalars(query):
        if _same_address(confirmation.postal_address or "", item.address):
            return db_session.get(Evidence, confirmation.evidence_id)
    return None


def address_confirmed(db_session: Session, item: PostalItem) -> bool:
    """The party confirmed the address the letter went to: when the letter was planned (and the clerk did
    not change it since), or in a signed address confirmation naming that very address."""
    query = select(AttemptFact.value).where(
        AttemptFact.attempt_id == item.attempt_id, AttemptFact.key == "address_confirmed"
    )
    planned_confirmed = db_session.scalar(query) == "是" and not item.address_edited
    return planned_confirmed or signed_confirmation(db_session, item) is not None


def _tracking_log(db_session: Session, item: PostalItem, events: list[TrackingEvent]) -> Evidence:
    log = {
        "waybill_no": item.waybill_no,
        "order_key": item.order_key,
        "recipient": item.recipient_name,
        "address": item.address,
        "ordered_at": item.ordered_at.isoformat() if item.ordered_at else None,
        "events": [
            {
                "op_time": event.op_time.isoformat(),
                "op_code": event.op_code,
                "state": event.state.value,
                "description": event.description,
                "place": event.place,
                "operator": event.operator,
                "signer": event.signer,
                "reason": event.reason,
            }
            for event in events
        ],
    }
    return store_evidence(
        db_session=db_session,
        case_id=item.case_id,
        kind=EvidenceKind.tracking,
        content=json.dumps(log, ensure_ascii=False, indent=1).encode(),
        content_type="application/json",
        metadata={"waybill_no": item.waybill_no, "events": len(events)},
        created_by_system=SYSTEM,
        attempt_id=item.attempt_id,
    )


def _record(
    db_session: Session, attempt: DeliveryAttempt, facts: dict[str, object], evidence: Evidence
) -> None:
    for key, value in facts.items():
        record_fact(
            db_session=db_session, attempt=attempt, key=key, value=value, evidence=evidence, system=SYSTEM
        )


def _posting_facts(item: PostalItem, events: list[TrackingEvent]) -> dict[str, object]:
    final = [event for event in events if event.state in FINAL_STATES]
    summary = "；".join(
        f"{_beijing(event.op_time)} {TRACE_STATE_LABELS[event.state]} {event.description}".strip()
        for event in events[:3] + final[-1:]
    )
    return {
        "waybill_number": item.waybill_no,
        "address": item.address,
        "posted_at": events[0].op_time,
        "tracking": f"共 {len(events)} 条物流轨迹：{summary}",
    }


def _attempt(db_session: Session, item: PostalItem) -> DeliveryAttempt:
    attempt = db_session.get(DeliveryAttempt, item.attempt_id)
    assert attempt is not None
    return attempt


def _refusal(events: list[TrackingEvent]) -> TrackingEvent | None:
    return next((event for event in events if event.state is TraceState.refused), None)


def return_reason(events: list[TrackingEvent], final: TrackingEvent) -> str:
    """Why it came back: the refusal, else the last failed delivery's reason, else the return event."""
    failed = [event for event in events if event.state is TraceState.not_delivered and event.reason]
    refusal = _refusal(events)
    if refusal is not None and refusal.reason:
        return refusal.reason
    return failed[-1].reason if failed and failed[-1].reason else final.description or "退回"


def decide(*, db_session: Session, item: PostalItem) -> bool:
    """Apply the outcome of an ordered letter whose journey ended; False while it has not."""
    events = _events(db_session, item)
    final = next((event for event in events if event.state in FINAL_STATES), None)
    attempt = _attempt(db_session, item)
    if final is None:
        return False
    item.final_state, item.final_at = final.state, final.op_time
    if attempt.status is not AttemptStatus.in_progress:  # served another way meanwhile, or cancelled
        item.status = ItemStatus.served if attempt.status is AttemptStatus.succeeded else ItemStatus.failed
        return False
    if final.state is TraceState.delivered and final.signer:
        log = _tracking_log(db_session, item, events)
        facts = {
            **_posting_facts(item, events),
            "delivered_at": final.op_time,
            "receipt": f"签收人：{final.signer}（EMS 妥投记录，{_beijing(final.op_time)}）",
        }
        _record(db_session, attempt, facts, log)
        serving.serve_attempt(
            db_session=db_session, actor=None, attempt=attempt, outcome=AttemptOutcome.served
        )
        item.status = ItemStatus.served
    elif final.state is TraceState.returned and address_confirmed(db_session, item):
        item.status = ItemStatus.awaiting_receipt  # the proof needs the returned envelope or card
        if item.receipt_evidence_id is not None:
            serve_returned(db_session=db_session, item=item)
    elif final.state is TraceState.delivered:
        item.status = ItemStatus.awaiting_receipt  # signed, but by whom only the receipt card says
        if item.receipt_evidence_id is not None:
            serve_delivered_by_card(db_session=db_session, item=item)
    else:
        _fail(db_session, item, attempt, events, final)
    return True


def _fail(
    db_session: Session,
    item: PostalItem,
    attempt: DeliveryAttempt,
    events: list[TrackingEvent],
    final: TrackingEvent,
) -> None:
    _tracking_log(db_session, item, events)  # kept in the case file though it serves nothing
    refusal = _refusal(events)
    reason = return_reason(events, final)
    why = "收件地址未经当事人确认" if not item.address_edited else "收件地址经书记员修改，非当事人确认的地址"
    planning.fail_and_plan_next(
        db_session=db_session,
        actor=None,  # type: ignore[arg-type]  # the post office's report: no user acts
        attempt=attempt,
        outcome=AttemptOutcome.refused if refusal else AttemptOutcome.unreachable,
        now=utcnow(),
        notes=f"EMS 邮件 {item.waybill_no} 于 {_beijing(final.op_time)} 退回（{reason}）；{why}，不视为送达",
    )
    item.status = ItemStatus.failed


def serve_returned(*, db_session: Session, item: PostalItem) -> None:
    """Serve a letter returned to a confirmed address on its return date, resting on the scan."""
    attempt = _attempt(db_session, item)
    events = _events(db_session, item)
    final = next(event for event in events if event.state is TraceState.returned)
    refusal = _refusal(events)
    log = _tracking_log(db_session, item, events)
    facts = {
        **_posting_facts(item, events),
        "returned_at": final.op_time,
        "return_reason": return_reason(events, final),
    }
    _record(db_session, attempt, facts, log)
    recorded = recorded_facts(db_session=db_session, attempt_id=attempt.id)
    if recorded.get("address_confirmed") != "是":
        confirmation = signed_confirmation(db_session, item)
        assert confirmation is not None  # decide() served it for that reason
        _record(db_session, attempt, {"address_confirmed": True}, confirmation)
    scan = db_session.get(Evidence, item.receipt_evidence_id)
    assert scan is not None
    _record(db_session, attempt, {"receipt": f"退回邮件/回执扫描件（证据 #{scan.id}）"}, scan)
    outcome = AttemptOutcome.refused if refusal else AttemptOutcome.returned
    serving.serve_attempt(db_session=db_session, actor=None, attempt=attempt, outcome=outcome)
    item.status = ItemStatus.served


def serve_delivered_by_card(*, db_session: Session, item: PostalItem) -> None:
    """Serve a delivered letter whose signer only the scanned receipt card shows."""
    attempt = _attempt(db_session, item)
    events = _events(db_session, item)
    final = next(event for event in events if event.state is TraceState.delivered)
    log = _tracking_log(db_session, item, events)
    _record(db_session, attempt, {**_posting_facts(item, events), "delivered_at": final.op_time}, log)
    scan = db_session.get(Evidence, item.receipt_evidence_id)
    assert scan is not None
    _record(db_session, attempt, {"receipt": f"签收回执扫描件（证据 #{scan.id}）"}, scan)
    serving.serve_attempt(db_session=db_session, actor=None, attempt=attempt, outcome=AttemptOutcome.served)
    item.status = ItemStatus.served
