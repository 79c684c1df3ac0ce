"""The delivery and attempt state machines: every status change goes through here."""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from backend.core.errors import RuleViolation
from backend.deliveries.enums import (
    ATTEMPT_STATUS_LABELS,
    DELIVERY_STATUS_LABELS,
    AttemptStatus,
    DeliveryStatus,
)

DELIVERY_TRANSITIONS: Mapping[DeliveryStatus, frozenset[DeliveryStatus]] = {
    DeliveryStatus.pending: frozenset({DeliveryStatus.in_progress, DeliveryStatus.cancelled}),
    DeliveryStatus.in_progress: frozenset(
        {DeliveryStatus.served, DeliveryStatus.unservable, DeliveryStatus.cancelled}
    ),
    DeliveryStatus.unservable: frozenset({DeliveryStatus.in_progress, DeliveryStatus.cancelled}),
    DeliveryStatus.served: frozenset(),
    DeliveryStatus.cancelled: frozenset(),
}

ATTEMPT_TRANSITIONS: Mapping[AttemptStatus, frozenset[AttemptStatus]] = {
    AttemptStatus.planned: frozenset(
        {AttemptStatus.in_progress, AttemptStatus.failed, AttemptStatus.cancelled}
    ),
    AttemptStatus.in_progress: frozenset(
        {AttemptStatus.succeeded, AttemptStatus.failed, AttemptStatus.cancelled}
    ),
    AttemptStatus.succeeded: frozenset(),
    AttemptStatus.failed: frozenset(),
    AttemptStatus.cancelled: frozenset(),
}


class IllegalTransition(RuleViolation):
    """A status change the state machine does not allow."""

    def __init__(self, entity: str, current: StrEnum, target: StrEnum, labels: Mapping[Any, str]) -> None:
        self.entity = entity
        self.current = current
        self.target = target
        super().__init__(
            f"{entity}不能从「{labels.get(current, current)}」变为「{labels.get(target, target)}」"
            f" (illegal transition {current.value} -> {target.value})"
        )


def check_delivery_transition(current: DeliveryStatus, target: DeliveryStatus) -> None:
    if target not in DELIVERY_TRANSITIONS[current]:
        raise IllegalTransition("送达任务", current, target, DELIVERY_STATUS_LABELS)


def check_attempt_transition(current: AttemptStatus, target: AttemptStatus) -> None:
    if target not in ATTEMPT_TRANSITIONS[current]:
        raise IllegalTransition("送达尝试", current, target, ATTEMPT_STATUS_LABELS)


def is_terminal_delivery(status: DeliveryStatus) -> bool:
    return not DELIVERY_TRANSITIONS[status]


def is_terminal_attempt(status: AttemptStatus) -> bool:
    return not ATTEMPT_TRANSITIONS[status]
