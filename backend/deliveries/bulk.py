"""Assigning many deliveries at once (the supervisors' board): all of them or none, in one transaction.

A retry of the same request changes nothing: deliveries already with that agent are reported unchanged
and get no second audit row."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend.audit import service as audit_service
from backend.auth.models import User
from backend.cases import access
from backend.core.errors import NotVisible, RuleViolation
from backend.deliveries import service as delivery_service
from backend.deliveries.models import Delivery
from backend.deliveries.state import is_terminal_delivery

MAX_BULK = 500


@dataclass(frozen=True)
class BulkAssignment:
    assigned: list[int]
    unchanged: list[int]


def _numbers(ids: list[int]) -> str:
    shown = "、".join(str(number) for number in ids[:10])
    return shown + (f" 等 {len(ids)} 个" if len(ids) > 10 else "")


def _load(db_session: Session, actor: User, ids: list[int]) -> list[Delivery]:
    query = (
        select(Delivery)
        .where(Delivery.id.in_(ids), access.case_visible(actor, Delivery.case_id))
        .options(selectinload(Delivery.attempts))
        .order_by(Delivery.id)
        .with_for_update()
    )
    deliveries = list(db_session.scalars(query))
    missing = sorted(set(ids) - {delivery.id for delivery in deliveries})
    if missing:
        raise NotVisible(f"送达任务（编号 {_numbers(missing)}）")
    finished = [delivery.id for delivery in deliveries if is_terminal_delivery(delivery.status)]
    if finished:
        raise RuleViolation(f"送达任务（编号 {_numbers(finished)}）已完结，不能分配；未做任何更改")
    return deliveries


def assign_many(
    *,
    db_session: Session,
    actor: User,
    delivery_ids: list[int],
    assignee_user_id: int | None,
    agent_group: str | None = None,
) -> BulkAssignment:
    """Give every delivery of DELIVERY_IDS to one agent (or take them back with None), or refuse all."""
    ids = sorted(set(delivery_ids))
    assigned: list[int] = []
    unchanged: list[int] = []
    for delivery in _load(db_session, actor, ids):
        same_group = agent_group is None or delivery.agent_group == agent_group
        if delivery.assignee_user_id == assignee_user_id and same_group:
            unchanged.append(delivery.id)
            continue
        delivery_service.assign_delivery(
            db_session=db_session,
            actor=actor,
            delivery=delivery,
            assignee_user_id=assignee_user_id,
            agent_group=agent_group,
        )
        assigned.append(delivery.id)
    if assigned:
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="deliveries_bulk_assigned",
            object_type="delivery",
            detail={"to": assignee_user_id, "assigned": assigned, "unchanged": unchanged},
        )
    return BulkAssignment(assigned=assigned, unchanged=unchanged)
