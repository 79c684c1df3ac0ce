"""GET /api/cases/{id}/calls and GET /api/transcripts/{id}: recordings, dialogue, flags; scope; audit."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.auth.roles import Role
from backend.calls.enums import RecordingStatus
from backend.transcripts.enums import TranscriptStatus
from tests.polling import poll_until
from tests.transcripts.conftest import (
    CaseWorld,
    Legs,
    audit_actions,
    bare_call,
    headers_for,
    recorded_call,
    spoken,
    stored_transcript,
    transcript_rows,
)

DIALOGUE = [spoken("agent", 0.4, "您好", "请问", "是", "刘洋", "吗"), spoken("party", 2.8, "是", "我")]


def test_the_case_file_lists_calls_with_recordings_dialogue_and_flags(
    client: TestClient, case_world: Callable[[], CaseWorld], short_legs: Legs
) -> None:
    world = case_world()
    record_id = recorded_call(world, short_legs)
    transcript_id = stored_transcript(world, DIALOGUE, record_id=record_id)
    failed_call = bare_call(world, recording_status=RecordingStatus.empty)
    stored_transcript(world, [], record_id=failed_call, status=TranscriptStatus.failed)
    headers = headers_for(client, world.agent)

    response = client.get(f"/api/cases/{world.case_id}/calls", headers=headers)

    assert response.status_code == 200, response.text
    answered, failed = response.json()
    assert answered["call_record_id"] == record_id and answered["outcome_label"] == "已接通"
    assert [r["leg"] for r in answered["recordings"]] == ["mix", "agent", "party"]
    party = answered["recordings"][2]
    assert party["content_url"] == f"/api/evidence/{party['evidence_id']}/content"
    ranged = client.get(party["content_url"], headers={**headers, "Range": "bytes=0-43"})
    assert ranged.status_code == 206 and ranged.content.startswith(b"RIFF")
    transcript = answered["transcript"]
    assert (transcript["id"], transcript["status"], transcript["status_label"]) == (
        transcript_id,
        "done",
        "已转写",
    )
    assert [(u["speaker_label"], u["text"]) for u in transcript["utterances"]] == [
        ("专员", "您好请问是刘洋吗"),
        ("当事人", "是我"),
    ]
    assert transcript["utterances"][1]["words"][0] == {
        "word": "是",
        "start": 2.8,
        "end": 3.2,
        "confidence": 0.9,
    }
    assert [(f["category"], f["start"]) for f in transcript["flags"]] == [("identity_confirmed", 2.8)]
    assert "人工复核" in transcript["flag_notice"]
    assert failed["transcript"]["status"] == "failed" and failed["recordings"] == []
    assert ("case_calls_read", world.agent.username) in audit_actions(world.case_id)


def test_only_those_entitled_to_the_case_read_its_calls_and_transcripts(
    client: TestClient, login: Callable[..., dict[str, str]], case_world: Callable[[], CaseWorld]
) -> None:
    world = case_world()
    transcript_id = stored_transcript(world, DIALOGUE)
    calls, transcript = f"/api/cases/{world.case_id}/calls", f"/api/transcripts/{transcript_id}"
    stranger = login(Role.agent)

    assert client.get(calls, headers=stranger).status_code == 404
    assert client.get(transcript, headers=stranger).status_code == 404
    assert client.get(calls).status_code == 401 and client.get(transcript).status_code == 401
    assert (
        client.get(f"/api/cases/{world.case_id + 1000}/calls", headers=login(Role.admin)).status_code == 404
    )
    for headers in (headers_for(client, world.agent), login(Role.supervisor)):
        assert client.get(calls, headers=headers).status_code == 200
        assert client.get(transcript, headers=headers).status_code == 200

    denied = [action for action, _ in audit_actions() if action.endswith("_access_denied")]
    assert denied == ["case_access_denied", "transcript_access_denied", "case_access_denied"]
    reads = [action for action, _ in audit_actions(world.case_id) if action.endswith("_read")]
    assert reads == ["case_calls_read", "transcript_read", "case_calls_read", "transcript_read"]


def test_a_failed_transcript_shows_its_error_and_can_be_queued_again(
    client: TestClient, login: Callable[..., dict[str, str]], case_world: Callable[[], CaseWorld]
) -> None:
    world = case_world()
    record_id = bare_call(world, recording_status=RecordingStatus.missing)
    transcript_id = stored_transcript(world, [], record_id=record_id, status=TranscriptStatus.failed)
    supervisor = login(Role.supervisor)
    retry = f"/api/transcripts/{transcript_id}/retry"

    assert client.post(retry, headers=headers_for(client, world.agent)).status_code == 403
    assert client.post(retry, headers=supervisor).status_code == 202

    # The in-process queue runs it: no recording, so it fails at once.
    poll_until(
        lambda: (row := transcript_rows(record_id)[0]).status is TranscriptStatus.failed and row.error,
        timeout=30,
        what=lambda: str(transcript_rows(record_id)[0].status),
    )
    shown = client.get(f"/api/transcripts/{transcript_id}", headers=supervisor).json()
    assert (shown["status_label"], shown["attempts"]) == ("转写失败", 1)
    assert "没有完整录音" in shown["error"]
    assert any(action == "transcript_retry" and actor for action, actor in audit_actions(world.case_id))
