"""A retried originate with the same Idempotency-Key never places a second real call."""

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls import service as call_service
from backend.calls.models import CallRecord
from telephony.softphone import AgentSoftphone
from tests.telephony.calls.conftest import CallWorld, TelephonyApp
from tests.telephony.raw_ami import RawAmiSession

NUMBER = "13800138000"


@pytest.mark.asterisk
@pytest.mark.slow
def test_same_key_twice_places_one_call(
    telephony_app: TelephonyApp,
    call_world: CallWorld,
    softphone: Callable[..., AgentSoftphone],
    ami: RawAmiSession,
) -> None:
    softphone("1006")
    agent = telephony_app.agent("1006")
    key = uuid.uuid4().hex

    def place() -> tuple[int, str]:
        response = telephony_app.place_call(agent, attempt_id=call_world.attempt_id, number=NUMBER, key=key)
        return response.status_code, response.json()["call_id"]

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: place(), range(2))
    assert sorted([first[0], second[0]]) == [200, 201]
    assert first[1] == second[1]
    call_id = first[1]
    record = telephony_app.wait_finished(agent, call_id)
    assert record["outcome"] == "answered"
    assert place() == (200, call_id)  # a retry after the call: still the same call, nothing placed

    agent_channels = ami.matching(
        lambda e: e.get("Event") == "Newchannel" and e["Channel"].startswith("PJSIP/1006-")
    )
    assert [c["Uniqueid"] for c in agent_channels] == [call_id]
    call_channels = ami.matching(lambda e: e.get("Event") == "Newchannel" and e.get("Linkedid") == call_id)
    assert len(call_channels) == 3  # the agent leg and the two halves of the Local party leg
    with database.get_session() as session:
        assert session.scalar(select(func.count()).where(CallRecord.idempotency_key == key)) == 1

    conflicting = telephony_app.place_call(
        agent, attempt_id=call_world.attempt_id, number="13900139000", key=key
    )
    assert conflicting.status_code == 409


@pytest.mark.asterisk
def test_originate_without_idempotency_key_is_refused(
    telephony_app: TelephonyApp, call_world: CallWorld
) -> None:
    agent = telephony_app.agent("1006")
    body = {"delivery_attempt_id": call_world.attempt_id, "number": NUMBER}
    assert telephony_app.client.post("/api/calls", json=body, headers=agent).status_code == 422
    assert telephony_app.runtime.control.live_calls() == []


def test_racing_requests_with_one_key_get_one_record(
    call_world: CallWorld, make_user: Callable[..., User]
) -> None:
    """Two sessions insert the same key at once: one creates, the other gets the winner's record."""
    agent = make_user(Role.agent, sip_extension="1006")
    key = uuid.uuid4().hex
    barrier = threading.Barrier(2)

    def request() -> tuple[str, bool]:
        with database.get_session() as session:
            barrier.wait()
            record, created = call_service.request_call(
                db_session=session,
                attempt_id=call_world.attempt_id,
                agent=session.get(User, agent.id) or agent,
                number=NUMBER,
                idempotency_key=key,
            )
            _hold_write_lock_briefly(session)
            return record.call_id, created

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: request(), range(2)))

    assert sorted(created for _, created in results) == [False, True]
    assert len({call_id for call_id, _ in results}) == 1


def _hold_write_lock_briefly(session: Session) -> None:
    session.flush()
    session.execute(select(func.count()).select_from(CallRecord))
