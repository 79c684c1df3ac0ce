"""Every illegal transition through the API is a 409 carrying the state machine's Chinese message."""

import itertools
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.enums import AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.state import ATTEMPT_TRANSITIONS, DELIVERY_TRANSITIONS
from tests.api.conftest import World

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _set_delivery_status(db_session: Session, delivery_id: int, status: DeliveryStatus) -> None:
    db_session.execute(update(Delivery).where(Delivery.id == delivery_id).values(status=status))
    db_session.commit()


def test_every_illegal_delivery_transition_is_409(
    client: TestClient, world: World, as_user: UserFactory, db_session: Session
) -> None:
    _, headers = as_user(Role.supervisor)
    url = f"/api/deliveries/{world.delivery_id}/transition"
    for current, target in itertools.product(DeliveryStatus, DeliveryStatus):
        if target in DELIVERY_TRANSITIONS[current] and target is not DeliveryStatus.served:
            continue
        _set_delivery_status(db_session, world.delivery_id, current)
        response = client.post(url, json={"status": target.value}, headers=headers)
        assert response.status_code == 409, (current, target, response.text)
        expected = "送达任务不能从" if target not in DELIVERY_TRANSITIONS[current] else "成功的送达尝试"
        assert expected in response.json()["detail"], (current, target)
        db_session.expire_all()
        assert db_session.get(Delivery, world.delivery_id).status is current  # type: ignore[union-attr]


def test_every_illegal_attempt_transition_is_409(
    client: TestClient, world: World, as_user: UserFactory, db_session: Session
) -> None:
    _, headers = as_user(Role.supervisor)
    _set_delivery_status(db_session, world.delivery_id, DeliveryStatus.in_progress)
    attempt = DeliveryAttempt(delivery_id=world.delivery_id, method=DeliveryMethod.postal)
    db_session.add(attempt)
    db_session.commit()
    for current, target in itertools.product(AttemptStatus, AttemptStatus):
        if target in ATTEMPT_TRANSITIONS[current]:
            continue
        db_session.execute(
            update(DeliveryAttempt).where(DeliveryAttempt.id == attempt.id).values(status=current)
        )
        db_session.commit()
        response = client.post(
            f"/api/attempts/{attempt.id}/transition", json={"status": target.value}, headers=headers
        )
        assert response.status_code == 409, (current, target, response.text)
        expected = "送达成功须由送达方式核对" if target is AttemptStatus.succeeded else "送达尝试不能从"
        assert expected in response.json()["detail"]


def test_allowed_manual_transitions_pass(client: TestClient, world: World, as_user: UserFactory) -> None:
    _, headers = as_user(Role.supervisor)
    url = f"/api/deliveries/{world.delivery_id}/transition"
    for target in ("in_progress", "unservable", "in_progress", "cancelled"):
        response = client.post(url, json={"status": target}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target
