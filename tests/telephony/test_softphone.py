"""The headless agent softphone against the real Asterisk: register, answer on command, hang up."""

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from telephony.audio import (
    convert_to_telephone_wav,
    pcm16_to_unsigned8,
    read_wav_pcm16,
    unsigned8_to_pcm16,
    wav_duration,
)
from telephony.provisioning import REPO_DIR
from telephony.softphone import AgentSoftphone, default_ports
from tests.telephony.audio_checks import envelope_similarity
from tests.telephony.conftest import AsteriskUnderTest
from tests.telephony.raw_ami import RawAmiSession
from tests.telephony.test_asterisk_call import dial_end, originate


def test_ports_stay_clear_of_asterisk_and_of_each_other() -> None:
    ports = [default_ports(str(extension)) for extension in range(1001, 1011)]
    for sip_port, rtp_low, rtp_high in ports:
        assert sip_port != 5060 and not 10000 <= sip_port <= 20000
        assert rtp_low > 20000 and rtp_high - rtp_low == 9
    assert len({p[0] for p in ports}) == len(ports)
    assert len({p[1] for p in ports}) == len(ports)


@pytest.mark.asterisk  # reads its clip from the provisioned Asterisk
def test_audio_converts_to_pyvoip_format_and_back(asterisk: AsteriskUnderTest, tmp_path: Path) -> None:
    clip = asterisk.clip("thchs30_test_04")
    pcm = read_wav_pcm16(clip)
    assert len(pcm) == pytest.approx(7.25 * 8000 * 2, rel=0.01)
    unsigned = pcm16_to_unsigned8(pcm)
    assert len(unsigned) == len(pcm) // 2 and min(unsigned) >= 0
    back = unsigned8_to_pcm16(unsigned)
    assert max(abs(a - b) for a, b in zip(pcm[1::2], back[1::2], strict=True)) <= 1
    target = tmp_path / "clip-8k.wav"
    convert_to_telephone_wav(clip, target)
    assert read_wav_pcm16(target) == pcm


@pytest.mark.asterisk
def test_softphone_answers_on_command_and_hangs_up(
    asterisk: AsteriskUnderTest, ami: RawAmiSession, softphone: Callable[..., AgentSoftphone]
) -> None:
    phone = softphone("1003", auto_answer=False)
    call_id = originate(ami, agent="1003", number="13800138001", clip="thchs30_test_01")

    assert phone.wait_for_call(10)
    assert not phone.answered.is_set()
    phone.answer()
    ami.wait_event(
        lambda e: e.get("UserEvent") == "SongdaRecording" and e.get("CallId") == call_id, timeout=10
    )
    started = time.monotonic()
    ami.wait_event(
        lambda e: (
            e.get("Event") == "DialEnd"
            and e.get("DialStatus") == "ANSWER"
            and e.get("DestChannel", "").startswith("Local/13800138001@")
        ),
        timeout=10,
    )
    phone.hangup()

    end = dial_end(ami, call_id, timeout=10)
    assert end["DialStatus"] == "ANSWER"
    assert end["HangupCause"] == "16"
    assert time.monotonic() - started < 5, "the agent's hang-up did not end the call at once"
    assert phone.ended.is_set() and phone.received_audio_path.exists()


@pytest.mark.asterisk
def test_softphone_command_answers_and_saves_what_it_heard(
    asterisk: AsteriskUnderTest, ami: RawAmiSession, tmp_path: Path
) -> None:
    script = (
        "import typer; from backend.config import get_settings; from telephony.cli import softphone_command; "
        "typer.run(softphone_command(get_settings))"
    )
    command = [
        sys.executable,
        "-c",
        script,
        "--extension",
        "1004",
        "--calls",
        "1",
        "--record-dir",
        str(tmp_path),
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO_DIR) as process:
        assert process.stdout is not None
        assert "已注册" in process.stdout.readline()
        call_id = originate(ami, agent="1004", number="13800138002", clip="aishell1_BAC009S0002W0123")
        assert dial_end(ami, call_id, timeout=20)["DialStatus"] == "ANSWER"
        assert process.wait(timeout=10) == 0
    heard = tmp_path / "1004-call1.wav"
    assert envelope_similarity(heard, asterisk.clip("aishell1_BAC009S0002W0123")) > 0.8


@pytest.mark.asterisk
def test_dialled_call_ends_as_soon_as_the_party_hangs_up(
    asterisk: AsteriskUnderTest, softphone: Callable[..., AgentSoftphone]
) -> None:
    """pyVoIP's own ACK carried a wrong To-tag and Asterisk's BYE came 32 s late; ours is prompt."""
    phone = softphone("1005")
    phone.dial("13800138005")  # songda-agents: recorded, party plays the default clip and hangs up
    assert phone.wait_answered(10), "the dialled party did not answer"
    answered_at = time.monotonic()
    clip_seconds = wav_duration(asterisk.clip(asterisk.settings.default_test_clip))
    assert phone.ended.wait(clip_seconds + 5), "no BYE reached the softphone"
    assert time.monotonic() - answered_at < clip_seconds + 3, "the BYE came late"
