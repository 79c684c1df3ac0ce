"""Tracking events in: pushed or polled, each stored once (a push arriving twice or out of order changes
nothing), then the letter's outcome is decided from every event it has (backend.postal.outcomes)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.postal import outcomes
from backend.postal.enums import FINAL_STATES, ItemStatus, TraceState
from backend.postal.gateway.base import GatewayError, PostalGateway, Trace
from backend.postal.models import PostalItem, TrackingEvent


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


def _rows(item: PostalItem, traces: list[Trace], report: IngestReport) -> list[dict[str, Any]]:
    """The rows of ITEM's traces, each once (a push may repeat an event)."""
    known: set[tuple[str, str]] = set()
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
    return rows


def _insert_new(db_session: Session, rows: list[dict[str, Any]]) -> list[tuple[int, TraceState, datetime]]:
    """Insert the rows the database does not hold yet (its unique key decides, so concurrent pushes of the
    same event store it once); the (item, state, moment) of those inserted."""
    insert = postgresql_insert if db_session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(TrackingEvent)
        .on_conflict_do_nothing(index_elements=["item_id", "op_time", "op_code"])
        .returning(TrackingEvent.item_id, TrackingEvent.state, TrackingEvent.op_time)
    )
    return [(item_id, state, moment) for item_id, state, moment in db_session.execute(statement, rows)]


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
    rows = [row for waybill_no, item in items.items() for row in _rows(item, by_waybill[waybill_no], report)]
    inserted = _insert_new(db_session, rows) if rows else []
    report.stored = len(inserted)
    report.duplicates += len(rows) - len(inserted)
    by_id = {item.id: item for item in items.values()}
    ending: dict[int, PostalItem] = {}
    for item_id, state, moment in inserted:
        item = by_id[item_id]
        if item.last_event_at is None or moment > item.last_event_at:
            item.last_event_at = moment
        if state in FINAL_STATES and item.status is ItemStatus.ordered:
            ending[item_id] = item
    for item in ending.values():
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
    """Letters still with the carrier and no event for DAYS (counted from the order when none came yet).

    A letter already returned to the court is not silent: it waits for the court's own scan
    (`scans_awaited`), not for the carrier."""
    since = now - timedelta(days=days)
    last_heard = func.coalesce(PostalItem.last_event_at, PostalItem.ordered_at)
    query = (
        select(PostalItem)
        .where(PostalItem.status == ItemStatus.ordered, last_heard < since)
        .order_by(last_heard)
        .limit(500)
    )
    return list(db_session.scalars(query))


def scans_awaited(*, db_session: Session) -> list[PostalItem]:
    """Letters returned to the court that wait for the returned envelope's scan, longest waiting first."""
    query = (
        select(PostalItem)
        .where(PostalItem.status == ItemStatus.awaiting_receipt)
        .order_by(func.coalesce(PostalItem.final_at, PostalItem.last_event_at), PostalItem.id)
        .limit(500)
    )
    return list(db_session.scalars(query))


def events_of(*, db_session: Session, item_id: int) -> list[TrackingEvent]:
    query = select(TrackingEvent).where(TrackingEvent.item_id == item_id)
    return list(db_session.scalars(query.order_by(TrackingEvent.op_time, TrackingEvent.id)))
