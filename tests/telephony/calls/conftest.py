"""Call-control harness on the real Asterisk: the API app that owns AMI (telephony enabled), a phone
delivery attempt to call for, and agents logged in with their own extensions (1006-1008, so these
tests never share a phone with the other telephony tests, which use 1001-1005)."""

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls.runtime import TelephonyRuntime
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.config import get_settings
from backend.courts.models import Court
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.parties.enums import LitigationRole, PartyType
from backend.parties.models import Party
from tests.conftest import TEST_PASSWORD
from tests.polling import poll_until
from tests.telephony.conftest import AsteriskUnderTest

SHORT_CLIP = "aishell1_BAC009S0002W0123"  # 3.9 s of Mandarin: the party answering
LONG_CLIP = "thchs30_test_01"  # 8.75 s
FINAL_RECORDING_STATES = ("complete", "missing", "empty")


@dataclass(frozen=True)
class CallWorld:
    case_id: int
    delivery_id: int
    attempt_id: int


@pytest.fixture()
def call_world(db: Engine) -> CallWorld:
    """A civil case with one party and a phone delivery attempt in progress."""
    with database.get_session() as session:
        court = Court(code="京0102", name="北京市西城区人民法院")
        case = Case(
            court=court,
            case_number=f"(2026)京0102民初{uuid.uuid4().int % 100000}号",
            cause="民间借贷纠纷",
            case_type=CaseType.civil,
            filed_on=date(2026, 1, 10),
        )
        party = Party(
            case=case,
            identity_key="110105199002020021",
            name="刘洋",
            party_type=PartyType.natural_person,
            litigation_role=LitigationRole.defendant,
        )
        delivery = Delivery(case=case, party=party)
        attempt = DeliveryAttempt(
            delivery=delivery, method=DeliveryMethod.phone, status=AttemptStatus.in_progress
        )
        session.add_all([court, case, party, delivery, attempt])
        session.flush()
        return CallWorld(case_id=case.id, delivery_id=delivery.id, attempt_id=attempt.id)


@dataclass
class TelephonyApp:
    """The API with call control, driven as a browser would, plus the runtime for white-box checks."""

    client: TestClient
    runtime: TelephonyRuntime
    make_user: Callable[..., User]

    def agent(self, extension: str) -> dict[str, str]:
        """Create an agent bound to EXTENSION, log in, return the Authorization header."""
        user = self.make_user(Role.agent, sip_extension=extension)
        response = self.client.post(
            "/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def place_call(
        self,
        headers: dict[str, str],
        *,
        attempt_id: int,
        number: str,
        key: str | None = None,
        clip: str = SHORT_CLIP,
        ring_timeout: int | None = None,
    ) -> Any:
        """POST /api/calls as the browser would; returns the test client's response."""
        body: dict[str, Any] = {"delivery_attempt_id": attempt_id, "number": number, "test_clip": clip}
        if ring_timeout is not None:
            body["ring_timeout_seconds"] = ring_timeout
        idempotency = {"Idempotency-Key": key or uuid.uuid4().hex}
        return self.client.post("/api/calls", json=body, headers={**headers, **idempotency})

    def record(self, headers: dict[str, str], call_id: str) -> dict[str, Any]:
        response = self.client.get(f"/api/calls/{call_id}", headers=headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait_record(
        self, headers: dict[str, str], call_id: str, done: Callable[[dict[str, Any]], bool], *, timeout: float
    ) -> dict[str, Any]:
        seen: list[dict[str, Any]] = []

        def finished() -> dict[str, Any] | None:
            seen[:] = [self.record(headers, call_id)]
            return seen[0] if done(seen[0]) else None

        return poll_until(
            finished, timeout=timeout, what=lambda: f"call {call_id} stuck at {seen[0]}", interval=0.1
        )

    def wait_finished(self, headers: dict[str, str], call_id: str, *, timeout: float = 45) -> dict[str, Any]:
        """The record once the call ended and its recordings were filed (or found missing)."""
        return self.wait_record(
            headers,
            call_id,
            lambda r: r["status"] == "ended" and r["recording_status"] in FINAL_RECORDING_STATES,
            timeout=timeout,
        )


@contextmanager
def settings_env(**values: str) -> Iterator[None]:
    """Run with SONGDA_* variables set (and settings re-read), restoring both afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


TelephonyAppFactory = Callable[..., Any]


@pytest.fixture()
def telephony_app_on(
    asterisk: AsteriskUnderTest, db: Engine, make_user: Callable[..., User]
) -> Iterator[TelephonyAppFactory]:
    """`with telephony_app_on(ami_port=...) as app:` the API owning AMI at that port (default Asterisk's)."""

    @contextmanager
    def start(*, ami_port: int | None = None) -> Iterator[TelephonyApp]:
        from backend.app import create_app

        port = ami_port or asterisk.settings.ami_port
        env = {
            "SONGDA_TELEPHONY_ENABLED": "true",
            "SONGDA_AMI_PORT": str(port),
            "SONGDA_AGENT_ANSWER_SECONDS": "6",
            "SONGDA_EVENT_BUS_URL": "memory://",
        }
        with settings_env(**env), TestClient(create_app()) as client:
            runtime: TelephonyRuntime = client.app.state.telephony  # type: ignore[attr-defined]
            poll_until(lambda: runtime.control.ami.is_up, timeout=10, what="call control never reached AMI")
            yield TelephonyApp(client=client, runtime=runtime, make_user=make_user)

    yield start


@pytest.fixture()
def telephony_app(telephony_app_on: TelephonyAppFactory) -> Iterator[TelephonyApp]:
    with telephony_app_on() as app:
        yield app
