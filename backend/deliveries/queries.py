"""Reading deliveries and attempts in the caller's scope."""

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, not_, or_, select, tuple_
from sqlalchemy.orm import Session, selectinload

from backend.auth.models import User
from backend.cases import access
from backend.cases.models import Case
from backend.cases.service import OPEN_DELIVERY_STATUSES
from backend.core.clock import court_today
from backend.core.errors import InvalidRequest, NotPermitted, NotVisible
from backend.core.estimates import estimated_rows
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt, RouterAlert
from backend.deliveries.schemas import DeliveryFilters
from backend.parties.models import Party

# Numbered pages count the matches up to this many; past it the total is PostgreSQL's estimate (elsewhere
# "more than" this), marked not exact: a count of a scope over years of history would cost more than the page.
COUNT_LIMIT = 2_000


def _list_loads() -> tuple[Any, ...]:
    return selectinload(Delivery.case), selectinload(Delivery.party), selectinload(Delivery.documents)


def overdue_condition() -> Any:
    """Open deliveries whose deadline has passed (court time)."""
    return and_(Delivery.deadline < court_today(), Delivery.status.in_(OPEN_DELIVERY_STATUSES))


def _delivery_conditions(filters: DeliveryFilters) -> list[Any]:
    equal_to = {
        Delivery.status: filters.status,
        Delivery.party_id: filters.party_id,
        Delivery.case_id: filters.case_id,
        Delivery.agent_group: filters.agent_group,
        Delivery.assignee_user_id: filters.assignee_user_id,
    }
    conditions: list[Any] = [column == value for column, value in equal_to.items() if value is not None]
    if filters.case_type is not None:
        conditions.append(Delivery.case_id.in_(select(Case.id).where(Case.case_type == filters.case_type)))
    if filters.deadline_before is not None:
        conditions.append(Delivery.deadline <= filters.deadline_before)
    if filters.deadline_after is not None:
        conditions.append(Delivery.deadline >= filters.deadline_after)
    if filters.overdue is not None:
        conditions.append(overdue_condition() if filters.overdue else not_(overdue_condition()))
    if filters.unassigned is not None:
        unassigned = Delivery.assignee_user_id.is_(None)
        conditions.append(unassigned if filters.unassigned else not_(unassigned))
    if filters.method is not None:
        conditions.append(current_method_is(filters.method))
    return conditions


def current_method_is(method: DeliveryMethod) -> Any:
    """Served by METHOD, or with an attempt by METHOD planned or under way."""
    open_attempt = exists().where(
        DeliveryAttempt.delivery_id == Delivery.id,
        DeliveryAttempt.method == method,
        DeliveryAttempt.status.in_((AttemptStatus.planned, AttemptStatus.in_progress)),
    )
    return or_(Delivery.served_method == method, open_attempt)


def delivery_query(*, user: User, filters: DeliveryFilters) -> Select[Any]:
    """Deliveries in the caller's scope matching FILTERS, nearest deadline first."""
    return (
        select(Delivery)
        .where(access.case_visible(user, Delivery.case_id), *_delivery_conditions(filters))
        .options(*_list_loads())
        .order_by(Delivery.deadline.asc().nulls_last(), Delivery.id)
    )


def list_deliveries(
    *, db_session: Session, user: User, filters: DeliveryFilters
) -> tuple[list[Delivery], int | None, str | None]:
    """A page of deliveries, the total (None on cursor pages: not counted) and the next page's cursor.

    With a cursor the page is read after the last row seen (deadline, id), so its cost follows the page,
    not how deep it is, and rows added or served meanwhile neither repeat nor skip a row."""
    query = delivery_query(user=user, filters=filters)
    if filters.after is None:
        total = _count_or_estimate(db_session, query)
        paged = query.limit(filters.page_size).offset((filters.page - 1) * filters.page_size)
        items = list(db_session.scalars(paged).unique())
        return items, total, next_cursor(items, filters.page_size)
    deadline, last_id = parse_cursor(filters.after)
    items = _rows_after(db_session, query, deadline, last_id, filters.page_size)
    return items, None, next_cursor(items, filters.page_size)


def _count_or_estimate(db_session: Session, query: Select[Any]) -> int:
    """The exact number of matches up to COUNT_LIMIT; past it the planner's estimate (at least
    COUNT_LIMIT + 1, so that it reads as not exact), or COUNT_LIMIT + 1 where there is no planner."""
    counted = _count_up_to(db_session, query, COUNT_LIMIT)
    if counted <= COUNT_LIMIT:
        return counted
    estimate = estimated_rows(db_session, query.order_by(None))
    return max(estimate or 0, COUNT_LIMIT + 1)


def _count_up_to(db_session: Session, query: Select[Any], limit: int) -> int:
    """The number of matching rows, counted no further than LIMIT + 1 (more than LIMIT: not exact)."""
    limited = query.order_by(None).limit(limit + 1).subquery()
    return db_session.scalar(select(func.count()).select_from(limited)) or 0


def _rows_after(
    db_session: Session, query: Select[Any], deadline: date | None, last_id: int, limit: int
) -> list[Delivery]:
    """Rows after (DEADLINE, LAST_ID) in (deadline NULLS LAST, id) order: first the dated ones (a row
    comparison the (deadline, id) indexes answer as a range), then those without a deadline."""
    items: list[Delivery] = []
    if deadline is not None:
        dated = query.where(tuple_(Delivery.deadline, Delivery.id) > tuple_(deadline, last_id))
        items = list(db_session.scalars(dated.limit(limit)).unique())
        last_id = 0
    if len(items) < limit:
        undated = query.where(Delivery.deadline.is_(None), Delivery.id > last_id)
        items += db_session.scalars(undated.limit(limit - len(items))).unique()
    return items


def next_cursor(items: list[Delivery], page_size: int) -> str | None:
    """The cursor after the page's last row, or None when the page was not full (no more rows)."""
    if len(items) < page_size or not items:
        return None
    last = items[-1]
    return f"{last.deadline.isoformat() if last.deadline else ''}~{last.id}"


def parse_cursor(cursor: str) -> tuple[date | None, int]:
    deadline, _, last_id = cursor.partition("~")
    try:
        return (date.fromisoformat(deadline) if deadline else None), int(last_id)
    except ValueError as exc:
        raise InvalidRequest("翻页游标无效，请从第一页重新查询") from exc


def get_delivery(*, db_session: Session, user: User, delivery_id: int) -> Delivery:
    """A delivery with its attempts if its case is in the caller's scope, else NotVisible."""
    query = (
        select(Delivery)
        .where(Delivery.id == delivery_id, access.case_visible(user, Delivery.case_id))
        .options(*_list_loads(), selectinload(Delivery.attempts))
    )
    delivery = db_session.scalar(query)
    if delivery is None:
        raise NotVisible("送达任务")
    return delivery


def get_own_delivery(*, db_session: Session, user: User, delivery_id: int) -> Delivery:
    """A delivery the caller may work on: NotVisible outside their scope, NotPermitted if not theirs."""
    delivery = get_delivery(db_session=db_session, user=user, delivery_id=delivery_id)
    if not access.delivery_is_own(user, delivery):
        raise NotPermitted("该送达任务未分配给您")
    return delivery


def get_attempt(*, db_session: Session, user: User, attempt_id: int, own: bool = False) -> DeliveryAttempt:
    """An attempt whose case is in the caller's scope (else NotVisible); with OWN, of a delivery the caller
    may work on (else NotPermitted)."""
    delivery_id = db_session.scalar(
        select(DeliveryAttempt.delivery_id).where(DeliveryAttempt.id == attempt_id)
    )
    if delivery_id is None:
        raise NotVisible("送达尝试")
    load = get_own_delivery if own else get_delivery
    try:
        delivery = load(db_session=db_session, user=user, delivery_id=delivery_id)
    except NotVisible as exc:
        raise NotVisible("送达尝试") from exc
    return next(attempt for attempt in delivery.attempts if attempt.id == attempt_id)


def get_own_attempt(*, db_session: Session, user: User, attempt_id: int) -> DeliveryAttempt:
    """An attempt of a delivery the caller may work on, with the same refusals."""
    return get_attempt(db_session=db_session, user=user, attempt_id=attempt_id, own=True)


def router_alerts(*, db_session: Session, open_only: bool, limit: int) -> list[dict[str, Any]]:
    """The router's alerts, newest first, with case, party, method and assignee (open ones if OPEN_ONLY)."""
    query = (
        select(
            RouterAlert,
            Case.case_number,
            Party.name.label("party_name"),
            DeliveryAttempt.method,
            Delivery.assignee_user_id,
        )
        .join(Delivery, Delivery.id == RouterAlert.delivery_id)
        .join(Case, Case.id == Delivery.case_id)
        .join(Party, Party.id == Delivery.party_id)
        .join(DeliveryAttempt, DeliveryAttempt.id == RouterAlert.attempt_id)
        .order_by(RouterAlert.raised_at.desc(), RouterAlert.id.desc())
        .limit(limit)
    )
    if open_only:
        query = query.where(RouterAlert.resolved_at.is_(None))
    return [
        {
            "id": alert.id,
            "delivery_id": alert.delivery_id,
            "attempt_id": alert.attempt_id,
            "kind": alert.kind,
            "message": alert.message,
            "due_at": alert.due_at,
            "raised_at": alert.raised_at,
            "resolved_at": alert.resolved_at,
            "case_number": case_number,
            "party_name": party_name,
            "method": method,
            "assignee_user_id": assignee,
        }
        for alert, case_number, party_name, method, assignee in db_session.execute(query)
    ]
