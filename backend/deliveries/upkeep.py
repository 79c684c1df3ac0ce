"""Facts kept beside the deliveries so that the agents' scope, the call queue and the wall read what is
open, not years of history:

- `Delivery.in_call_queue`: pending or in progress, the party has a usable phone, and no other method is
  under way (the queue also skips callbacks set for later and locked tasks: few rows, checked when read);
- `Delivery.hearing_at`, `Delivery.case_priority`: the case's ranking facts, so the queue walks one index;
- `CallQueueTally`: how many deliveries are in the call queue per agent group and deadline (the wall);
- `CaseWorker`: who may see a case besides staff (cases.access).

A hook on every session's flush updates them from the rows that flush wrote (deliveries, attempts,
contact points, cases), in the same transaction, by the delta of each delivery it touched. Writers that
insert with Core (the import, the demo) call `refresh_deliveries`; `rebuild` makes them all afresh (the
migration, a benchmark's generated data). Rows deleted by a database cascade are not followed: only the
ORM deletes deliveries, attempts and contact points.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    case,
    delete,
    event,
    exists,
    func,
    insert,
    or_,
    select,
    union,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction, attributes
from sqlalchemy.orm.util import identity_key

from backend.cases.enums import CASE_TYPE_PRIORITY
from backend.cases.models import Case
from backend.deliveries.enums import AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import CallQueueTally, CaseWorker, Delivery, DeliveryAttempt
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint

QUEUED_STATUSES = (DeliveryStatus.pending, DeliveryStatus.in_progress)
OPEN_ATTEMPT_STATUSES = (AttemptStatus.planned, AttemptStatus.in_progress)
NO_DEADLINE = date(9999, 12, 31)  # the tally's key for a delivery without a deadline
SHARED_POOL = ""  # the tally's key for the shared pool (no agent group)
CHUNK = 500

DELIVERY_FIELDS = ("status", "party_id", "case_id", "agent_group", "deadline")
ATTEMPT_FIELDS = ("status", "method", "delivery_id")
CONTACT_FIELDS = ("kind", "state", "party_id")
CASE_FIELDS = ("hearing_at", "case_type")

TallyKey = tuple[str, date]


def tally_key(agent_group: str | None, deadline: date | None) -> TallyKey:
    return agent_group or SHARED_POOL, deadline or NO_DEADLINE


def in_call_queue_condition() -> ColumnElement[bool]:
    """What `Delivery.in_call_queue` holds, as a condition on the delivery (for rebuilds and recounts)."""
    usable_phone = exists().where(
        ContactPoint.party_id == Delivery.party_id,
        ContactPoint.kind == ContactKind.phone,
        ContactPoint.state != ContactState.invalid,
    )
    other_method = exists().where(
        DeliveryAttempt.delivery_id == Delivery.id,
        DeliveryAttempt.method != DeliveryMethod.phone,
        DeliveryAttempt.status.in_(OPEN_ATTEMPT_STATUSES),
    )
    return and_(Delivery.status.in_(QUEUED_STATUSES), usable_phone, ~other_method)


def _derived_values() -> dict[str, Any]:
    priority = case(CASE_TYPE_PRIORITY, value=Case.case_type, else_=len(CASE_TYPE_PRIORITY))
    return {
        "in_call_queue": case((in_call_queue_condition(), True), else_=False),
        "hearing_at": select(Case.hearing_at).where(Case.id == Delivery.case_id).scalar_subquery(),
        "case_priority": select(priority).where(Case.id == Delivery.case_id).scalar_subquery(),
    }


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


Derived = tuple[bool, datetime | None, int | None]


def refresh_deliveries(
    connection: Connection,
    delivery_ids: Iterable[int],
    *,
    moved: dict[int, tuple[str | None, date | None]] | None = None,
) -> dict[int, Derived]:
    """Recompute the derived facts of DELIVERY_IDS, write those that changed (nothing when none did) and
    move the tally by the difference. MOVED gives the agent group and deadline a delivery had before this
    flush changed them (the tally counted it there)."""
    moved = moved or {}
    changes: Counter[TallyKey] = Counter()
    derived: dict[int, Derived] = {}
    fresh = _derived_values()
    for chunk in _chunks(delivery_ids):
        query = select(
            Delivery.id,
            Delivery.agent_group,
            Delivery.deadline,
            Delivery.in_call_queue,
            Delivery.hearing_at,
            Delivery.case_priority,
            fresh["in_call_queue"],
            fresh["hearing_at"],
            fresh["case_priority"],
        ).where(Delivery.id.in_(chunk))
        stale: list[dict[str, Any]] = []
        for delivery_id, group, deadline, *stored, queued, hearing_at, priority in connection.execute(query):
            now = (bool(queued), hearing_at, priority)
            if stored[0]:
                changes[tally_key(*moved.get(delivery_id, (group, deadline)))] -= 1
            if queued:
                changes[tally_key(group, deadline)] += 1
            if (bool(stored[0]), stored[1], stored[2]) != now:
                stale.append(
                    {"b_id": delivery_id, "b_queued": now[0], "b_hearing": hearing_at, "b_priority": priority}
                )
            derived[delivery_id] = now
        if stale:
            connection.execute(_WRITE_DERIVED, stale)
    apply_tally(connection, changes)
    return derived


_WRITE_DERIVED = (
    update(Delivery)
    .where(Delivery.id == bindparam("b_id"))
    .values(
        in_call_queue=bindparam("b_queued"),
        hearing_at=bindparam("b_hearing"),
        case_priority=bindparam("b_priority"),
        updated_at=Delivery.updated_at,  # a derived fact is no change of the delivery
    )
)


def apply_tally(connection: Connection, changes: Counter[TallyKey]) -> None:
    """Add CHANGES to the tally (in key order, so that concurrent writers lock rows in the same order)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for (group, deadline), delta in sorted(changes.items()):
        if delta == 0:
            continue
        statement = dialect.insert(CallQueueTally).values(
            agent_group=group, deadline=deadline, deliveries=delta
        )
        statement = statement.on_conflict_do_update(
            index_elements=["agent_group", "deadline"],
            set_={"deliveries": CallQueueTally.deliveries + statement.excluded.deliveries},
        )
        connection.execute(statement)


def forget_deliveries(connection: Connection, delivery_ids: Iterable[int]) -> None:
    """Take DELIVERY_IDS out of the tally before a bulk delete removes them (the demo's reset)."""
    changes: Counter[TallyKey] = Counter()
    for chunk in _chunks(delivery_ids):
        query = select(Delivery.agent_group, Delivery.deadline).where(
            Delivery.id.in_(chunk), Delivery.in_call_queue
        )
        for group, deadline in connection.execute(query):
            changes[tally_key(group, deadline)] -= 1
    apply_tally(connection, changes)


def case_members(case_ids: Sequence[int] | None) -> Any:
    assigned = select(Delivery.assignee_user_id, Delivery.case_id).where(
        Delivery.assignee_user_id.is_not(None)
    )
    performed = (
        select(DeliveryAttempt.performed_by_user_id, Delivery.case_id)
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .where(DeliveryAttempt.performed_by_user_id.is_not(None))
    )
    if case_ids is not None:
        assigned = assigned.where(Delivery.case_id.in_(case_ids))
        performed = performed.where(Delivery.case_id.in_(case_ids))
    return union(assigned, performed)


def recount_workers(connection: Connection, case_ids: Iterable[int]) -> None:
    """Make the workers of CASE_IDS those with a delivery of the case assigned or an attempt performed."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for chunk in _chunks(case_ids):
        connection.execute(delete(CaseWorker).where(CaseWorker.case_id.in_(chunk)))
        members = dialect.insert(CaseWorker).from_select(["user_id", "case_id"], case_members(chunk))
        connection.execute(members.on_conflict_do_nothing())


def rebuild(connection: Connection) -> None:
    """Every derived fact afresh: the open deliveries' queue facts, the tally and the case workers."""
    stale = or_(Delivery.status.in_(QUEUED_STATUSES), Delivery.in_call_queue)
    values = _derived_values() | {"updated_at": Delivery.updated_at}
    connection.execute(update(Delivery).where(stale).values(values))
    connection.execute(delete(CallQueueTally))
    group = func.coalesce(Delivery.agent_group, SHARED_POOL)
    deadline = func.coalesce(Delivery.deadline, NO_DEADLINE)
    counts = select(group, deadline, func.count()).where(Delivery.in_call_queue).group_by(group, deadline)
    connection.execute(insert(CallQueueTally).from_select(["agent_group", "deadline", "deliveries"], counts))
    connection.execute(delete(CaseWorker))
    connection.execute(insert(CaseWorker).from_select(["user_id", "case_id"], case_members(None)))


def refresh_cases(connection: Connection, case_ids: Iterable[int]) -> None:
    """After a bulk write of CASE_IDS (their deliveries, attempts, parties' contacts): their deliveries'
    facts, the tally and their workers."""
    wanted = sorted(set(case_ids))
    deliveries: list[int] = []
    for chunk in _chunks(wanted):
        deliveries += connection.scalars(select(Delivery.id).where(Delivery.case_id.in_(chunk)))
    refresh_deliveries(connection, deliveries)
    recount_workers(connection, wanted)


# --- the flush hook -------------------------------------------------------------------------------------


def _changed(instance: Any, fields: Sequence[str]) -> bool:
    state = sa_inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _values(instance: Any, name: str) -> set[Any]:
    """The attribute's value now and before the flush (both, when this flush changed it)."""
    history = sa_inspect(instance).attrs[name].history
    return {value for value in (*history.deleted, getattr(instance, name)) if value is not None}


def _before(instance: Any, name: str) -> Any:
    history = sa_inspect(instance).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(instance, name)


class _Touched:
    """What one flush wrote that the derived facts follow."""

    def __init__(self) -> None:
        self.deliveries: set[int] = set()
        self.moved: dict[int, tuple[str | None, date | None]] = {}
        self.parties: set[int] = set()
        self.ranked_cases: set[int] = set()
        self.worker_cases: set[int] = set()
        self.worker_deliveries: set[int] = set()
        self.gone: Counter[TallyKey] = Counter()

    def written(self, instance: Any, new: bool) -> None:
        if isinstance(instance, Delivery):
            if new or _changed(instance, DELIVERY_FIELDS):
                self.deliveries.add(instance.id)
                self.moved[instance.id] = (_before(instance, "agent_group"), _before(instance, "deadline"))
            if new or _changed(instance, ("assignee_user_id", "case_id")):
                self.worker_cases |= _values(instance, "case_id")
        elif isinstance(instance, DeliveryAttempt):
            if new or _changed(instance, ATTEMPT_FIELDS):
                self.deliveries |= _values(instance, "delivery_id")
            if new or _changed(instance, ("performed_by_user_id", "delivery_id")):
                self.worker_deliveries |= _values(instance, "delivery_id")
        elif isinstance(instance, ContactPoint):
            if new or _changed(instance, CONTACT_FIELDS):
                self.parties |= _values(instance, "party_id")
        elif isinstance(instance, Case) and not new and _changed(instance, CASE_FIELDS):
            self.ranked_cases.add(instance.id)

    def deleted(self, instance: Any) -> None:
        if isinstance(instance, Delivery):
            if sa_inspect(instance).attrs.in_call_queue.loaded_value is True:
                self.gone[tally_key(_before(instance, "agent_group"), _before(instance, "deadline"))] -= 1
            self.worker_cases |= _values(instance, "case_id")
        elif isinstance(instance, DeliveryAttempt):
            self.deliveries |= _values(instance, "delivery_id")
            self.worker_deliveries |= _values(instance, "delivery_id")
        elif isinstance(instance, ContactPoint):
            self.parties |= _values(instance, "party_id")

    def any(self) -> bool:
        return bool(
            self.deliveries or self.parties or self.ranked_cases or self.worker_cases
            or self.worker_deliveries or self.gone
        )  # fmt: skip


def _open_deliveries_of(connection: Connection, column: Any, ids: set[int]) -> list[int]:
    found: list[int] = []
    for chunk in _chunks(ids):
        query = select(Delivery.id).where(
            column.in_(chunk), or_(Delivery.status.in_(QUEUED_STATUSES), Delivery.in_call_queue)
        )
        found += connection.scalars(query)
    return found


def _cases_of(connection: Connection, delivery_ids: set[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(delivery_ids):
        found.update(connection.scalars(select(Delivery.case_id).where(Delivery.id.in_(chunk))))
    return found


@event.listens_for(Session, "after_flush")
def _keep_derived_facts(session: Session, _context: UOWTransaction) -> None:
    touched = _Touched()
    for instance in session.new:
        touched.written(instance, new=True)
    for instance in session.dirty:
        touched.written(instance, new=False)
    for instance in session.deleted:
        touched.deleted(instance)
    if not touched.any():
        return
    connection = session.connection()
    deliveries = set(touched.deliveries)
    deliveries.update(_open_deliveries_of(connection, Delivery.party_id, touched.parties))
    deliveries.update(_open_deliveries_of(connection, Delivery.case_id, touched.ranked_cases))
    derived = refresh_deliveries(connection, deliveries, moved=touched.moved)
    apply_tally(connection, touched.gone)
    recount_workers(connection, touched.worker_cases | _cases_of(connection, touched.worker_deliveries))
    for delivery_id, (queued, hearing_at, priority) in derived.items():
        instance = session.identity_map.get(identity_key(Delivery, delivery_id))
        if instance is not None:
            attributes.set_committed_value(instance, "in_call_queue", queued)
            attributes.set_committed_value(instance, "hearing_at", hearing_at)
            attributes.set_committed_value(instance, "case_priority", priority)
