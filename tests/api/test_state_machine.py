"""The whole transition tables: every allowed change passes, every other one raises with a clear message."""

import itertools

import pytest

import backend.models  # noqa: F401  (complete mapper configuration)
from backend.deliveries.enums import (
    ATTEMPT_STATUS_LABELS,
    DELIVERY_STATUS_LABELS,
    AttemptStatus,
    DeliveryStatus,
)
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.state import ATTEMPT_TRANSITIONS, DELIVERY_TRANSITIONS, IllegalTransition

DELIVERY_PAIRS = list(itertools.product(DeliveryStatus, DeliveryStatus))
ATTEMPT_PAIRS = list(itertools.product(AttemptStatus, AttemptStatus))


@pytest.mark.parametrize(("current", "target"), DELIVERY_PAIRS)
def test_delivery_transition_table(current: DeliveryStatus, target: DeliveryStatus) -> None:
    delivery = Delivery(status=current)
    if target in DELIVERY_TRANSITIONS[current]:
        delivery.transition(target)
        assert delivery.status is target
        return
    with pytest.raises(IllegalTransition) as raised:
        delivery.transition(target)
    assert delivery.status is current
    message = str(raised.value)
    assert message.startswith("送达任务不能从")
    assert f"「{DELIVERY_STATUS_LABELS[current]}」变为「{DELIVERY_STATUS_LABELS[target]}」" in message
    assert (raised.value.current, raised.value.target) == (current, target)


@pytest.mark.parametrize(("current", "target"), ATTEMPT_PAIRS)
def test_attempt_transition_table(current: AttemptStatus, target: AttemptStatus) -> None:
    attempt = DeliveryAttempt(status=current)
    if target in ATTEMPT_TRANSITIONS[current]:
        attempt.transition(target)
        assert attempt.status is target
        return
    with pytest.raises(IllegalTransition) as raised:
        attempt.transition(target)
    assert attempt.status is current
    message = str(raised.value)
    assert message.startswith("送达尝试不能从")
    assert f"「{ATTEMPT_STATUS_LABELS[current]}」变为「{ATTEMPT_STATUS_LABELS[target]}」" in message


def test_tables_cover_every_status_and_terminal_states_allow_nothing() -> None:
    assert set(DELIVERY_TRANSITIONS) == set(DeliveryStatus)
    assert set(ATTEMPT_TRANSITIONS) == set(AttemptStatus)
    assert not DELIVERY_TRANSITIONS[DeliveryStatus.served]
    assert not DELIVERY_TRANSITIONS[DeliveryStatus.cancelled]
    assert all(not ATTEMPT_TRANSITIONS[status] for status in (AttemptStatus.succeeded, AttemptStatus.failed))
