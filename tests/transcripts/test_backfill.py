"""Nothing is lost: calls whose transcription never finished are found again and queued."""

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update
from typer.testing import CliRunner

from backend import database
from backend.calls.enums import RecordingStatus
from backend.database import utcnow
from backend.transcripts import service
from backend.transcripts.cli import transcripts_app
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.models import Transcript
from tests.transcripts.conftest import CaseWorld, bare_call, spoken, stored_transcript


def _running(world: CaseWorld, heartbeat_age: timedelta) -> int:
    record_id = bare_call(world)
    transcript_id = stored_transcript(world, [], record_id=record_id, status=TranscriptStatus.running)
    with database.get_session() as session:
        beat = utcnow() - heartbeat_age
        session.execute(update(Transcript).where(Transcript.id == transcript_id).values(heartbeat_at=beat))
    return record_id


def test_unfinished_calls_are_the_ones_without_a_live_or_final_transcript(
    case_world: Callable[..., CaseWorld],
) -> None:
    world = case_world()
    never_queued = bare_call(world)
    pending = bare_call(world)
    stored_transcript(world, [], record_id=pending, status=TranscriptStatus.pending)
    dead_worker = _running(world, timedelta(minutes=10))
    _running(world, timedelta(seconds=1))  # a live worker holds it
    stored_transcript(world, [spoken("party", 0.0, "好的")])  # done
    stored_transcript(world, [], status=TranscriptStatus.failed)  # final until someone retries it
    bare_call(world, recording_status=RecordingStatus.missing)  # nothing to transcribe

    with database.get_session() as session:
        found = service.unfinished_call_records(db_session=session)
    assert found == [never_queued, pending, dead_worker]


def test_the_command_line_searches_every_transcript(case_world: Callable[..., CaseWorld]) -> None:
    stored_transcript(case_world(), [spoken("party", 2.0, "我的", "送达", "地址", "是", "北京")])
    result = CliRunner().invoke(transcripts_app, ["search", "送达地址"])
    assert result.exit_code == 0, result.output
    assert "当事人：我的送达地址是北京" in result.output and "2.4 s" in result.output


def test_the_end_of_call_hook_queues_only_calls_with_a_complete_recording(
    case_world: Callable[..., CaseWorld], settings_env: Callable[..., None]
) -> None:
    settings_env(transcribe_after_call=True)
    world = case_world()
    for status in (RecordingStatus.missing, RecordingStatus.empty):
        record_id = bare_call(world, recording_status=status)
        service.transcribe_when_recorded(call_record_id=record_id)
        with database.get_session() as session:
            assert service.claims.get_transcript(db_session=session, call_record_id=record_id) is None


def test_the_hook_can_be_switched_off(
    case_world: Callable[..., CaseWorld], settings_env: Callable[..., None]
) -> None:
    settings_env(transcribe_after_call=False)
    record_id = bare_call(case_world())
    service.transcribe_when_recorded(call_record_id=record_id)
    with database.get_session() as session:
        assert service.claims.get_transcript(db_session=session, call_record_id=record_id) is None
