"""Changing deliveries: creation, manual status changes, assignment. Attempts are in `attempts`."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.models import User
from backend.cases import access
from backend.core.errors import InvalidRequest, RuleViolation
from backend.deliveries.enums import AttemptStatus, DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.state import ATTEMPT_TRANSITIONS, check_delivery_transition, is_terminal_delivery
from backend.documents.models import Document
from backend.parties.models import Party


def audit_change(
    *,
    db_session: Session,
    actor: User | None,
    action: str,
    target: Delivery | DeliveryAttempt,
    detail: dict[str, Any],
) -> None:
    """One audit row for a change to a delivery or one of its attempts."""
    if isinstance(target, Delivery):
        object_type, case_id = "delivery", target.case_id
    else:
        object_type, case_id = "delivery_attempt", target.delivery.case_id
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=target.id,
        case_id=case_id,
        detail=detail,
    )


def _party_of_case(db_session: Session, party_id: int, case_id: int) -> Party:
    party = db_session.get(Party, party_id)
    if party is None or party.case_id != case_id:
        raise InvalidRequest("当事人不属于该案件")
    return party


def _documents_of_case(db_session: Session, document_ids: list[int], case_id: int) -> list[Document]:
    wanted = set(document_ids)
    query = select(Document).where(Document.id.in_(wanted), Document.case_id == case_id).order_by(Document.id)
    documents = list(db_session.scalars(query))
    if len(documents) != len(wanted):
        raise InvalidRequest("文书不存在或不属于该案件")
    return documents


def create_delivery(
    *,
    db_session: Session,
    actor: User,
    case_id: int,
    party_id: int,
    document_ids: list[int],
    deadline: date | None = None,
    agent_group: str | None = None,
) -> Delivery:
    """A new pending delivery of DOCUMENT_IDS on a party of a case in the actor's scope."""
    case = access.visible_case(db_session=db_session, user=actor, case_id=case_id)
    delivery = Delivery(
        case=case,
        party=_party_of_case(db_session, party_id, case.id),
        documents=_documents_of_case(db_session, document_ids, case.id),
        deadline=deadline or case.service_deadline,
        agent_group=agent_group,
        status=DeliveryStatus.pending,
    )
    db_session.add(delivery)
    db_session.flush()
    detail = {
        "party_id": party_id,
        "document_ids": sorted(set(document_ids)),
        "deadline": str(delivery.deadline),
    }
    audit_change(
        db_session=db_session, actor=actor, action="delivery_created", target=delivery, detail=detail
    )
    return delivery


def close_open_attempts(*, delivery: Delivery, keep: DeliveryAttempt | None = None) -> list[int]:
    """Cancel the attempts that can no longer serve a finished delivery; returns their ids."""
    closed = []
    for attempt in delivery.attempts:
        if attempt is not keep and AttemptStatus.cancelled in ATTEMPT_TRANSITIONS[attempt.status]:
            attempt.transition(AttemptStatus.cancelled)
            closed.append(attempt.id)
    return closed


def transition_delivery(
    *, db_session: Session, actor: User, delivery: Delivery, status: DeliveryStatus
) -> Delivery:
    """Change a delivery's status by hand; `served` only ever comes from a succeeded attempt."""
    check_delivery_transition(delivery.status, status)
    if status is DeliveryStatus.served:
        raise RuleViolation("「已送达」只能由一次成功的送达尝试产生，请登记送达尝试")
    previous = delivery.status
    delivery.transition(status)
    detail: dict[str, Any] = {"from": previous.value, "to": status.value}
    if status is DeliveryStatus.cancelled:
        detail["cancelled_attempt_ids"] = close_open_attempts(delivery=delivery)
    audit_change(
        db_session=db_session, actor=actor, action="delivery_transition", target=delivery, detail=detail
    )
    return delivery


def _assignee(db_session: Session, assignee_user_id: int) -> User:
    assignee = db_session.get(User, assignee_user_id)
    if assignee is None or not assignee.is_active or assignee.role not in access.WORKER_ROLES:
        raise InvalidRequest("只能分配给在职的服务专员或外出送达人员")
    return assignee


def assign_delivery(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    assignee_user_id: int | None,
    agent_group: str | None = None,
) -> Delivery:
    """Give an open delivery to an agent or field officer (or take it back with None)."""
    if is_terminal_delivery(delivery.status):
        raise RuleViolation("送达任务已完结，不能再分配")
    assignee = None if assignee_user_id is None else _assignee(db_session, assignee_user_id)
    previous = delivery.assignee_user_id
    delivery.assignee_user_id = assignee.id if assignee else None
    delivery.agent_group = agent_group or (assignee.agent_group if assignee else None) or delivery.agent_group
    detail = {"from": previous, "to": delivery.assignee_user_id, "agent_group": delivery.agent_group}
    audit_change(
        db_session=db_session, actor=actor, action="delivery_assigned", target=delivery, detail=detail
    )
    return delivery
