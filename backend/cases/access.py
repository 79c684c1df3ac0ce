"""Who sees which case: the one scope rule every query of case data goes through.

admin and supervisor see every case; a clerk sees the cases of their court; an agent or field officer
sees the cases with a delivery assigned to them or an attempt they performed. Outside the scope a case
does not exist for the caller (404, never 403, so that its existence does not leak).
"""

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.orm import QueryableAttribute, Session

from backend.auth.models import User
from backend.auth.roles import STAFF_ROLES, Role
from backend.cases.models import Case
from backend.core.errors import NotVisible
from backend.deliveries.models import CaseWorker, Delivery, DeliveryAttempt

WORKER_ROLES = frozenset({Role.agent, Role.field_officer})


def _worker_sees(user: User, case_id: QueryableAttribute[int]) -> ColumnElement[bool]:
    """One probe of case_worker's primary key (user, case): the membership deliveries.upkeep keeps as
    deliveries are assigned and attempts performed, so the database can walk a list in its order and stop
    at the page instead of collecting every case the worker ever touched."""
    return exists().where(CaseWorker.user_id == user.id, CaseWorker.case_id == case_id)


def case_visible(user: User, case_id: QueryableAttribute[int]) -> ColumnElement[bool]:
    """A condition on CASE_ID (a column holding a case id) that admits only the caller's cases."""
    if user.role in STAFF_ROLES:
        return true()
    if user.role is Role.clerk:
        if user.court_id is None:
            return false()
        return case_id.in_(select(Case.id).where(Case.court_id == user.court_id))
    if user.role in WORKER_ROLES:
        return _worker_sees(user, case_id)
    return false()


def can_see_case(*, db_session: Session, user: User, case_id: int) -> bool:
    query = select(Case.id).where(Case.id == case_id, case_visible(user, Case.id))
    return db_session.scalar(query) is not None


def visible_case(*, db_session: Session, user: User, case_id: int) -> Case:
    """The case if the caller may see it, else NotVisible."""
    case = db_session.scalar(select(Case).where(Case.id == case_id, case_visible(user, Case.id)))
    if case is None:
        raise NotVisible("案件")
    return case


def delivery_is_own(user: User, delivery: Delivery) -> bool:
    """Whether the caller may work on DELIVERY: staff always, agents on their own deliveries."""
    if user.role in STAFF_ROLES:
        return True
    if user.role not in WORKER_ROLES:
        return False
    if delivery.assignee_user_id == user.id:
        return True
    return any(attempt.performed_by_user_id == user.id for attempt in delivery.attempts)


def own_delivery_condition(user: User) -> ColumnElement[bool]:
    """A condition on Delivery admitting the deliveries the caller works on (for work queues)."""
    if user.role in STAFF_ROLES:
        return true()
    if user.role not in WORKER_ROLES:
        return false()
    performed = exists().where(
        DeliveryAttempt.delivery_id == Delivery.id, DeliveryAttempt.performed_by_user_id == user.id
    )
    return or_(Delivery.assignee_user_id == user.id, performed)
