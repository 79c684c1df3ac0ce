"""A real answered call through the API: the event sequence, every call-record field, the recordings."""

import hashlib
import wave
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.calls.models import CallRecord
from backend.config import get_settings
from backend.deliveries.models import DeliveryAttempt
from backend.evidence.models import Evidence
from backend.evidence.verification import verify_case_chain
from telephony.softphone import AgentSoftphone
from tests.telephony.calls.conftest import LONG_CLIP, SHORT_CLIP, CallWorld, TelephonyApp
from tests.telephony.conftest import AsteriskUnderTest

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

NUMBER = "13800138000"


def test_answered_call_is_recorded_in_full(
    asterisk: AsteriskUnderTest,
    telephony_app: TelephonyApp,
    call_world: CallWorld,
    softphone: Callable[..., AgentSoftphone],
) -> None:
    phone = softphone("1006")
    agent = telephony_app.agent("1006")

    placed = telephony_app.place_call(agent, attempt_id=call_world.attempt_id, number=NUMBER, clip=SHORT_CLIP)
    assert placed.status_code == 201, placed.text
    call_id = placed.json()["call_id"]
    talking = telephony_app.wait_record(agent, call_id, lambda r: r["status"] == "talking", timeout=20)
    live = telephony_app.client.get("/api/calls/live", headers=agent).json()
    assert [(c["call_id"], c["state"], c["recording"]) for c in live] == [(call_id, "talking", True)]
    assert talking["answered_at"] is not None and talking["ended_at"] is None

    record = telephony_app.wait_finished(agent, call_id)
    assert phone.ended.wait(5), "the agent's phone was not hung up"

    assert record["number_dialled"] == NUMBER and record["connected_number"] == NUMBER
    assert record["agent_endpoint"] == "1006" and record["delivery_attempt_id"] == call_world.attempt_id
    assert (record["outcome"], record["dial_status"], record["hangup_cause"]) == ("answered", "ANSWER", 16)
    assert record["hangup_cause_text"] == "Normal Clearing"
    times = [
        _at(record[k])
        for k in ("originated_at", "agent_answered_at", "dialled_at", "answered_at", "ended_at")
    ]
    assert times == sorted(times), times
    talk = (times[-1] - times[-2]).total_seconds()
    assert record["talk_seconds"] == round(talk) and 3 <= talk <= 8  # the party's 3.9 s clip, then hang-up
    assert record["ring_at"] is None  # the simulated party answers without ringing
    assert record["recording_status"] == "complete" and record["counts_as_phone_delivery"] is True
    assert record["recording_seconds"] >= talk - 0.5  # MixMonitor writes once audio flows

    with database.get_session() as session:
        row = session.scalar(select(CallRecord).where(CallRecord.call_id == call_id))
        assert row is not None
        kinds = [entry["type"] for entry in row.event_log]
        originated, placed_by = row.event_log[0], row.agent_user_id
        evidence = {
            e.id: e for e in session.scalars(select(Evidence).where(Evidence.case_id == call_world.case_id))
        }
        attempt = session.get(DeliveryAttempt, call_world.attempt_id)
        assert attempt is not None
        attempt_evidence = {item.id for item in attempt.evidence}
    assert kinds[:7] == [
        "CallOriginated",
        "AgentRinging",
        "AgentAnswered",
        "RecordingStarted",
        "PartyDialled",
        "PartyAnswered",
        "CallBridged",
    ]
    assert sorted(kinds[7:10]) == ["DialResult", "HungUp", "HungUp"]
    placed_for = (originated["agent_user_id"], originated["delivery_id"], originated["attempt_id"])
    assert placed_for == (placed_by, call_world.delivery_id, call_world.attempt_id)  # no lookup needed
    assert kinds[10:] == ["RecordingStopped", "CallEnded"]

    legs = {
        "mix": record["mix_evidence_id"],
        "agent": record["agent_evidence_id"],
        "party": record["party_evidence_id"],
    }
    assert set(evidence) == set(legs.values()) == attempt_evidence
    for leg, evidence_id in legs.items():
        item = evidence[evidence_id]
        stored = get_settings().evidence_dir / item.file_path
        content = stored.read_bytes()
        assert item.kind.value == f"recording_{leg}" and item.content_type == "audio/wav"
        assert (len(content), hashlib.sha256(content).hexdigest()) == (item.size_bytes, item.sha256)
        with wave.open(str(stored)) as wav:
            assert (wav.getframerate(), wav.getnchannels()) == (8000, 1)
        assert item.metadata_json["call_id"] == call_id and item.metadata_json["duration_seconds"] > 3
        source = getattr(asterisk.recording_paths(call_id), leg)
        assert hashlib.sha256(source.read_bytes()).hexdigest() == item.sha256
    with database.get_session() as session:
        report = verify_case_chain(db_session=session, case_id=call_world.case_id)
    assert report.intact, report


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_agent_hangs_up_through_the_api(
    telephony_app: TelephonyApp, call_world: CallWorld, softphone: Callable[..., AgentSoftphone]
) -> None:
    phone = softphone("1006")
    agent = telephony_app.agent("1006")
    placed = telephony_app.place_call(agent, attempt_id=call_world.attempt_id, number=NUMBER, clip=LONG_CLIP)
    call_id = placed.json()["call_id"]
    telephony_app.wait_record(agent, call_id, lambda r: r["status"] == "talking", timeout=20)

    other_agent = telephony_app.agent("1007")
    assert telephony_app.client.post(f"/api/calls/{call_id}/hangup", headers=other_agent).status_code == 404
    assert telephony_app.client.get("/api/calls/live", headers=other_agent).json() == []
    response = telephony_app.client.post(f"/api/calls/{call_id}/hangup", headers=agent)
    assert response.status_code == 202, response.text

    record = telephony_app.wait_finished(agent, call_id)
    assert phone.ended.wait(5)
    assert (record["outcome"], record["dial_status"], record["hangup_cause"]) == ("answered", "ANSWER", 16)
    assert record["talk_seconds"] < 8  # cut before the party's 8.75 s clip ended
    assert telephony_app.client.post(f"/api/calls/{call_id}/hangup", headers=agent).status_code == 409
    with database.get_session() as session:
        audited = session.scalars(
            select(AuditLog.action).where(AuditLog.object_type == "call", AuditLog.object_id == call_id)
        ).all()
    assert sorted(audited) == ["call_hangup", "call_originate"]  # the refused hang-ups wrote nothing
