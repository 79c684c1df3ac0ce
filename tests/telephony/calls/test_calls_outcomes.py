"""Every way a real call can fail ends with its own outcome, Q.850 cause and recording flag."""

from collections.abc import Callable

import pytest

from telephony.softphone import AgentSoftphone
from tests.telephony.calls.conftest import CallWorld, TelephonyApp

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]


@pytest.mark.parametrize(
    ("number", "outcome", "dial_status", "cause", "recording"),
    [
        ("19900000486", "busy", "BUSY", 17, "empty"),
        ("19900000480", "no_answer", "NOANSWER", 19, "complete"),  # 3 s of ringback recorded
        ("19900000403", "rejected", "CHANUNAVAIL", 21, "empty"),
        ("19900000404", "unreachable", "CHANUNAVAIL", 1, "empty"),
    ],
)
def test_party_not_reached_gives_its_outcome(
    telephony_app: TelephonyApp,
    call_world: CallWorld,
    softphone: Callable[..., AgentSoftphone],
    number: str,
    outcome: str,
    dial_status: str,
    cause: int,
    recording: str,
) -> None:
    softphone("1007")
    agent = telephony_app.agent("1007")
    placed = telephony_app.place_call(agent, attempt_id=call_world.attempt_id, number=number, ring_timeout=3)
    assert placed.status_code == 201, placed.text

    record = telephony_app.wait_finished(agent, placed.json()["call_id"])

    assert (record["outcome"], record["dial_status"], record["hangup_cause"]) == (outcome, dial_status, cause)
    assert record["agent_answered_at"] is not None and record["dialled_at"] is not None
    assert record["answered_at"] is None and record["talk_seconds"] is None
    assert record["connected_number"] is None
    assert (number == "19900000480") == (record["ring_at"] is not None)  # only that party's phone rings
    # The agent leg is recorded from its answer (ringback, or nothing when the party fails at once), and
    # its files are kept as evidence of the attempt; an unanswered call never serves a document.
    assert record["recording_status"] == recording and record["mix_evidence_id"] is not None
    assert record["counts_as_phone_delivery"] is False


def test_agent_not_answering_never_dials_the_party(
    telephony_app: TelephonyApp, call_world: CallWorld, softphone: Callable[..., AgentSoftphone]
) -> None:
    phone = softphone("1007", auto_answer=False)
    agent = telephony_app.agent("1007")
    placed = telephony_app.place_call(agent, attempt_id=call_world.attempt_id, number="13800138000")
    assert placed.status_code == 201, placed.text
    assert phone.wait_for_call(10)

    record = telephony_app.wait_finished(agent, placed.json()["call_id"])

    assert (record["outcome"], record["hangup_cause"], record["dial_status"]) == ("agent_no_answer", 19, None)
    assert record["agent_answered_at"] is None and record["dialled_at"] is None
    assert record["recording_status"] == "missing" and record["mix_evidence_id"] is None
    assert record["counts_as_phone_delivery"] is False


def test_agent_phone_offline_fails_the_call(telephony_app: TelephonyApp, call_world: CallWorld) -> None:
    agent = telephony_app.agent("1008")  # nothing registered as 1008

    placed = telephony_app.place_call(agent, attempt_id=call_world.attempt_id, number="13800138000")
    assert placed.status_code == 201, placed.text
    record = telephony_app.wait_finished(agent, placed.json()["call_id"])

    assert record["outcome"] == "failed" and record["recording_status"] == "missing"
    assert record["agent_answered_at"] is None
