"""End to end on the real Asterisk: a recorded call through the call-control API is transcribed by itself.

The agent's softphone (extension 1006, shared with the call-control suite: tests run one at a time)
speaks one clip; the simulated party answers and plays another. When the call ends, its recordings are
filed and the transcription queued (memory:// runs it in this process); the case file shows the dialogue.
"""

from collections.abc import Callable

import pytest

from asr.metrics import cer
from backend.auth.models import User
from backend.auth.roles import Role
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.models import Transcript
from telephony.softphone import AgentSoftphone
from tests.polling import poll_until
from tests.telephony.calls.conftest import TelephonyApp
from tests.telephony.conftest import AsteriskUnderTest
from tests.transcripts.conftest import CaseWorld, headers_for, references, transcript_rows

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

EXTENSION = "1006"
AGENT_CLIP = "aishell1_BAC009S0002W0122"  # 4 s: the agent speaks first
PARTY_CLIP = "thchs30_test_01"  # 8.75 s: the party answers, speaks, hangs up


def test_a_real_recorded_call_is_transcribed_per_leg(
    asterisk: AsteriskUnderTest,
    telephony_app: TelephonyApp,
    softphone: Callable[..., AgentSoftphone],
    make_user: Callable[..., User],
    case_world: Callable[..., CaseWorld],
    settings_env: Callable[..., None],
) -> None:
    settings_env(transcribe_after_call=True)
    agent = make_user(Role.agent, sip_extension=EXTENSION)
    world = case_world(agent)
    softphone(EXTENSION, voice_wav=asterisk.clip(AGENT_CLIP))
    headers = headers_for(telephony_app.client, agent)

    placed = telephony_app.place_call(
        headers, attempt_id=world.attempt_id, number="13800138000", clip=PARTY_CLIP
    )
    assert placed.status_code == 201, placed.text
    record = telephony_app.wait_finished(headers, placed.json()["call_id"])
    assert record["recording_status"] == "complete"

    record_id = _call_record_id(telephony_app, headers, world.case_id)

    def settled() -> list[Transcript] | None:
        rows = transcript_rows(record_id)
        return rows if rows and rows[0].status in (TranscriptStatus.done, TranscriptStatus.failed) else None

    def still() -> str:
        rows = transcript_rows(record_id)
        return str(rows[0].status) if rows else "no transcript queued"

    rows = poll_until(settled, timeout=120, what=still, interval=0.2)
    assert rows[0].status is TranscriptStatus.done, rows[0].error

    [call] = telephony_app.client.get(f"/api/cases/{world.case_id}/calls", headers=headers).json()
    utterances = call["transcript"]["utterances"]
    said = {
        side: "".join(u["text"] for u in utterances if u["speaker"] == side) for side in ("agent", "party")
    }
    refs = references()
    assert cer(refs[PARTY_CLIP], said["party"]) <= 0.4, said
    assert {u["speaker_label"] for u in utterances if u["speaker"] == "agent"} == {"专员"}
    assert said["agent"] and cer(refs[AGENT_CLIP], said["agent"]) < cer(refs[PARTY_CLIP], said["agent"]), said
    assert [u["start"] for u in utterances] == sorted(u["start"] for u in utterances)


def _call_record_id(app: TelephonyApp, headers: dict[str, str], case_id: int) -> int:
    [call] = app.client.get(f"/api/cases/{case_id}/calls", headers=headers).json()
    return int(call["call_record_id"])
