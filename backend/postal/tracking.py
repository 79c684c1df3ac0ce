"""Tracking events in: pushed or polled, each stored once (a push arriving twice or out of order changes
nothing), then the letter's outcome is decided from every event it has (backend.postal.outcomes)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from backend.postal import outcomes
from backend.postal.enums import FINAL_STATES, ItemStatus
from backend.postal.gateway.base import GatewayError, PostalGateway, Trace
from backend.postal.models import PostalItem, TrackingEvent

OPEN = (ItemStatus.ordered, ItemStatus.awaiting_receipt)


@dataclass
class IngestReport:
    stored: int = 0
    duplicates: int = 0
    unknown_waybills: list[str] = field(default_factory=list)
    decided: list[int] = field(default_factory=list)  # items whose outcome was decided now


def _moment(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _key(moment: datetime, code: str) -> tuple[str, str]:
    return _moment(moment).isoformat(), code


def _known(db_session: Session, pairs: set[tuple[int, datetime]]) -> dict[int, set[tuple[str, str]]]:
    """Of the (item, moment) pairs of a push, the events already stored, by (moment, code) per item. Two
    plain IN lists (the unique index on item, moment, code serves them on SQLite and PostgreSQL alike)."""
    known: dict[int, set[tuple[str, str]]] = defaultdict(set)
    item_ids = sorted({item_id for item_id, _ in pairs})
    moments = sorted({moment for _, moment in pairs})
    for start in range(0, len(item_ids), 500):
        query = select(TrackingEvent.item_id, TrackingEvent.op_time, TrackingEvent.op_code).where(
            TrackingEvent.item_id.in_(item_ids[start : start + 500]), TrackingEvent.op_time.in_(moments)
        )
        for item_id, moment, code in db_session.execute(query):
            if (item_id, _moment(moment)) in pairs:
                known[item_id].add(_key(moment, code))
    return known


def _store(
    item: PostalItem, traces: list[Trace], known: set[tuple[str, str]], report: IngestReport
) -> list[dict[str, Any]]:
    """The rows of the traces ITEM does not have yet."""
    rows: list[dict[str, Any]] = []
    for trace in traces:
        key = _key(trace.op_time, trace.op_code)
        if key in known:
            report.duplicates += 1
            continue
        known.add(key)
        rows.append(
            {
                "item_id": item.id,
                "op_time": _moment(trace.op_time),
                "op_code": trace.op_code,
                "state": trace.state,
                "description": trace.description[:2000],
                "place": (trace.place or None) and trace.place[:200],
                "operator": (trace.operator or None) and trace.operator[:100],
                "signer": (trace.signer or None) and trace.signer[:100],
                "reason": (trace.reason or None) and trace.reason[:200],
            }
        )
    if rows:
        latest = max(row["op_time"] for row in rows)
        if item.last_event_at is None or latest > item.last_event_at:
            item.last_event_at = latest
    return rows


def ingest(*, db_session: Session, traces: list[Trace]) -> IngestReport:
    """Store TRACES (any vendor, any order, repeats allowed) and decide the letters they end."""
    report = IngestReport()
    by_waybill: dict[str, list[Trace]] = defaultdict(list)
    for trace in traces:
        by_waybill[trace.waybill_no].append(trace)
    items: dict[str, PostalItem] = {
        item.waybill_no or "": item
        for item in db_session.scalars(select(PostalItem).where(PostalItem.waybill_no.in_(list(by_waybill))))
    }
    report.unknown_waybills = [waybill for waybill in by_waybill if waybill not in items]
    pairs = {
        (item.id, _moment(trace.op_time))
        for waybill_no, item in items.items()
        for trace in by_waybill[waybill_no]
    }
    known = _known(db_session, pairs)
    rows, ending = [], []
    for waybill_no, item in items.items():
        new = _store(item, by_waybill[waybill_no], known[item.id], report)
        rows.extend(new)
        if item.status is ItemStatus.ordered and any(row["state"] in FINAL_STATES for row in new):
            ending.append(item)
    if rows:
        db_session.execute(insert(TrackingEvent), rows)
        report.stored += len(rows)
    for item in ending:
        if outcomes.decide(db_session=db_session, item=item):
            report.decided.append(item.id)
    db_session.flush()
    return report


def poll(*, db_session: Session, gateway: PostalGateway, limit: int = 500) -> IngestReport:
    """Ask the vendor for the events of the open letters heard from least recently."""
    query = (
        select(PostalItem)
        .where(PostalItem.status == ItemStatus.ordered)
        .order_by(func.coalesce(PostalItem.last_event_at, PostalItem.ordered_at))
        .limit(limit)
    )
    traces: list[Trace] = []
    for item in db_session.scalars(query):
        assert item.waybill_no is not None
        try:
            traces.extend(gateway.query_tracking(item.waybill_no))
        except GatewayError:
            continue  # the next poll tries again
    return ingest(db_session=db_session, traces=traces)


def silent_items(*, db_session: Session, now: datetime, days: int) -> list[PostalItem]:
    """Open letters with no event for DAYS (counted from the order when none came yet)."""
    since = now - timedelta(days=days)
    last_heard = func.coalesce(PostalItem.last_event_at, PostalItem.ordered_at)
    query = (
        select(PostalItem)
        .where(PostalItem.status.in_(OPEN), last_heard < since)
        .order_by(last_heard)
        .limit(500)
    )
    return list(db_session.scalars(query))


def events_of(*, db_session: Session, item_id: int) -> list[TrackingEvent]:
    query = select(TrackingEvent).where(TrackingEvent.item_id == item_id)
    return list(db_session.scalars(query.order_by(TrackingEvent.op_time, TrackingEvent.id)))
