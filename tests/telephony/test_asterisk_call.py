"""Real calls through the real Asterisk, per the Originate contract of dialplans/templates/extensions.conf."""

import uuid
from collections.abc import Callable

import pytest

from telephony.audio import wav_duration
from telephony.provisioning import RecordingPaths
from telephony.softphone import AgentSoftphone
from tests.polling import poll_until
from tests.telephony.audio_checks import envelope_similarity, file_rms
from tests.telephony.conftest import AsteriskUnderTest
from tests.telephony.raw_ami import Message, RawAmiSession

pytestmark = pytest.mark.asterisk

PARTY_CLIP = "thchs30_test_01"  # 8.75 s of Mandarin: the called party speaking
AGENT_CLIP = "thchs30_test_04"  # 7.25 s of Mandarin: the agent speaking


def originate(ami: RawAmiSession, *, agent: str, number: str, clip: str, ring_timeout: int = 30) -> str:
    """Originate per the contract; return the call id."""
    call_id = uuid.uuid4().hex
    response = ami.action(
        "Originate",
        Channel=f"PJSIP/{agent}",
        Context="songda-outbound",
        Exten=number,
        Priority="1",
        Async="true",
        variables={
            "__SONGDA_CALL_ID": call_id,
            "__SONGDA_TEST_CLIP": clip,
            "SONGDA_RING_TIMEOUT": str(ring_timeout),
        },
    )
    assert response["Response"] == "Success", response
    return call_id


def dial_end(ami: RawAmiSession, call_id: str, *, timeout: float) -> Message:
    return ami.wait_event(
        lambda e: e.get("UserEvent") == "SongdaDialEnd" and e.get("CallId") == call_id, timeout=timeout
    )


def wait_recordings(paths: RecordingPaths, *, timeout: float = 10.0) -> None:
    files = (paths.mix, paths.agent, paths.party)
    poll_until(
        lambda: all(path.exists() and path.stat().st_size > 44 for path in files),
        timeout=timeout,
        what=f"recordings missing: {files}",
        interval=0.1,
    )


def test_answered_call_records_agent_and_party_separately(
    asterisk: AsteriskUnderTest, ami: RawAmiSession, softphone: Callable[..., AgentSoftphone]
) -> None:
    phone = softphone("1001", voice_wav=asterisk.clip(AGENT_CLIP))
    call_id = originate(ami, agent="1001", number="13800138000", clip=PARTY_CLIP)

    end = dial_end(ami, call_id, timeout=30)
    assert (end["DialStatus"], end["HangupCause"]) == ("ANSWER", "16")
    agent_channel = end["Channel"]
    hangup = ami.wait_event(
        lambda e: e.get("Event") == "Hangup" and e.get("Channel") == agent_channel, timeout=5
    )
    assert hangup["Cause"] == "16"
    assert phone.ended.wait(5), "the softphone did not get the BYE promptly"
    call_id_seen = ami.matching(
        lambda e: e.get("Variable") == "__SONGDA_CALL_ID" and e.get("Value") == call_id
    )
    assert {e["Channel"].split("/")[0] for e in call_id_seen} >= {"PJSIP", "Local"}

    paths = asterisk.recording_paths(call_id)
    wait_recordings(paths)
    party_clip, agent_clip = asterisk.clip(PARTY_CLIP), asterisk.clip(AGENT_CLIP)
    assert abs(wav_duration(paths.party) - wav_duration(party_clip)) < 1.0
    assert file_rms(paths.party) > 500
    assert envelope_similarity(paths.party, party_clip) > 0.8
    assert file_rms(paths.agent) > 500
    assert envelope_similarity(paths.agent, agent_clip) > 0.8
    assert envelope_similarity(paths.agent, agent_clip) - envelope_similarity(paths.agent, party_clip) > 0.25
    assert envelope_similarity(paths.party, party_clip) - envelope_similarity(paths.party, agent_clip) > 0.25
    assert file_rms(paths.mix) > 500
    assert envelope_similarity(phone.received_audio_path, party_clip) > 0.8


@pytest.mark.parametrize(
    ("number", "dial_status", "cause"),
    [
        ("19900000486", "BUSY", "17"),
        ("19900000403", "CHANUNAVAIL", "21"),
        ("19900000404", "CHANUNAVAIL", "1"),
        ("19900000480", "NOANSWER", "19"),
    ],
)
def test_unreached_party_reports_dial_status_and_cause(
    asterisk: AsteriskUnderTest,
    ami: RawAmiSession,
    softphone: Callable[..., AgentSoftphone],
    number: str,
    dial_status: str,
    cause: str,
) -> None:
    phone = softphone("1002")
    call_id = originate(ami, agent="1002", number=number, clip=PARTY_CLIP, ring_timeout=2)

    end = dial_end(ami, call_id, timeout=20)
    assert (end["DialStatus"], end["HangupCause"]) == (dial_status, cause)
    assert phone.ended.wait(5)
    mix = asterisk.recording_paths(call_id).mix
    poll_until(mix.exists, timeout=5, what=f"no mixed recording at {mix}", interval=0.1)
