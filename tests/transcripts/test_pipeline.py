"""The pipeline on files with the real Vosk model: two legs -> one dialogue, stored once as evidence."""

import json
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from asr.metrics import cer
from backend import database, taskqueue
from backend.deliveries.models import DeliveryAttempt
from backend.evidence import service as evidence_service
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.evidence.verification import verify_case_chain
from backend.proofs.excerpt import transcript_excerpt
from backend.transcripts import service
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.models import Transcript, TranscriptGram
from backend.transcripts.service import TRANSCRIBE_TASK
from tests.polling import poll_until
from tests.transcripts.conftest import (
    CaseWorld,
    Legs,
    recorded_call,
    references,
    transcript_evidence_count,
    transcript_rows,
)

pytestmark = pytest.mark.slow


def _turn_of(start: float, legs: Legs) -> int:
    """Index of the scripted turn during which an utterance starting at START was said."""
    return next(i for i, turn in enumerate(legs.turns) if turn.start - 0.3 <= start <= turn.end)


def test_two_legs_become_one_time_ordered_dialogue_stored_once(
    case_world: Callable[[], CaseWorld], dialogue_legs: Legs
) -> None:
    world = case_world()
    record_id = recorded_call(world, dialogue_legs)

    assert service.transcribe_call_record(call_record_id=record_id) is TranscriptStatus.done

    [transcript] = transcript_rows(record_id)
    assert (transcript.status, transcript.attempts, transcript.error) == (TranscriptStatus.done, 1, None)
    utterances = transcript.utterances
    assert [u["start"] for u in utterances] == sorted(u["start"] for u in utterances)
    for utterance in utterances:  # each utterance lies in a turn of its own speaker
        turn = dialogue_legs.turns[_turn_of(utterance["start"], dialogue_legs)]
        assert utterance["speaker"] == turn.speaker
        assert utterance["speaker_label"] == {"agent": "专员", "party": "当事人"}[turn.speaker]
        assert all(0 <= w["confidence"] <= 1 and w["start"] <= w["end"] for w in utterance["words"])
    spoken = {turn: "" for turn in range(len(dialogue_legs.turns))}
    for utterance in utterances:
        spoken[_turn_of(utterance["start"], dialogue_legs)] += utterance["text"]
    refs = references()
    for index, turn in enumerate(dialogue_legs.turns):
        assert cer(refs[turn.clip], spoken[index]) <= 0.4, (turn, spoken[index])
    assert transcript.text.splitlines()[0].startswith("专员：")
    assert transcript.engine and "vosk-model-small-cn" in transcript.engine

    with database.get_session() as session:
        [evidence] = session.scalars(
            select(Evidence).where(
                Evidence.case_id == world.case_id, Evidence.kind == EvidenceKind.transcript
            )
        )
        assert transcript.evidence_id == evidence.id and evidence.created_by_system == "asr"
        attempt = session.get_one(DeliveryAttempt, world.attempt_id)
        assert evidence.id in {item.id for item in attempt.evidence}
        document = evidence_service.read_json(evidence)
        assert document["utterances"] == utterances and document["format"] == "songda-transcript/1"
        excerpt = transcript_excerpt(items=[evidence])  # what the proof of service quotes
        assert excerpt is not None and excerpt.startswith("专员：")
        assert verify_case_chain(db_session=session, case_id=world.case_id).intact
        grams = session.scalar(
            select(TranscriptGram.gram).where(TranscriptGram.transcript_id == transcript.id)
        )
        assert grams is not None


def test_running_the_task_twice_leaves_one_transcript_and_one_evidence_item(
    case_world: Callable[[], CaseWorld], short_legs: Legs
) -> None:
    world = case_world()
    record_id = recorded_call(world, short_legs)

    for _ in range(2):  # memory:// runs the Celery task in the in-process pool
        future = taskqueue.enqueue(TRANSCRIBE_TASK, call_record_id=record_id)
        assert future is not None and future.result(timeout=120) == "done"

    [transcript] = transcript_rows(record_id)
    assert transcript.attempts == 1  # the second run found it done and did nothing
    assert transcript_evidence_count(world.case_id) == 1


def test_two_workers_at_once_store_one_result(
    case_world: Callable[[], CaseWorld], short_legs: Legs, settings_env: Callable[..., None]
) -> None:
    """The second worker takes a claim whose heartbeat it sees as stale: both recognise, one stores."""
    settings_env(transcription_stale_seconds=0.05)
    world = case_world()
    record_id = recorded_call(world, short_legs)
    statuses: list[TranscriptStatus] = []

    def work() -> None:
        statuses.append(service.transcribe_call_record(call_record_id=record_id))

    first = threading.Thread(target=work)
    first.start()
    _wait_for(lambda: _status(record_id) is TranscriptStatus.running)
    time.sleep(0.1)  # let the first claim's heartbeat age past the 0.05 s threshold
    second = threading.Thread(target=work)
    second.start()
    first.join(120)
    second.join(120)

    [transcript] = transcript_rows(record_id)
    assert transcript.status is TranscriptStatus.done and transcript.attempts == 2
    assert TranscriptStatus.done in statuses and len(statuses) == 2
    assert transcript_evidence_count(world.case_id) == 1


def test_a_failing_transcription_is_retried_then_marked_failed(
    case_world: Callable[[], CaseWorld], short_legs: Legs, settings_env: Callable[..., None], tmp_path
) -> None:
    settings_env(
        vosk_model=tmp_path / "no-model", transcription_max_attempts=3, transcription_retry_backoff_seconds=0
    )
    world = case_world()
    record_id = recorded_call(world, short_legs)

    future = taskqueue.enqueue(TRANSCRIBE_TASK, call_record_id=record_id)
    assert future is not None and future.result(timeout=60) == "failed"

    [transcript] = transcript_rows(record_id)
    assert (transcript.status, transcript.attempts) == (TranscriptStatus.failed, 3)
    assert (
        transcript.error
        and "ModelNotInstalled" in transcript.error
        and "未找到 Vosk 模型" in transcript.error
    )
    assert transcript_evidence_count(world.case_id) == 0


def test_a_call_without_complete_recording_fails_at_once(
    case_world: Callable[[], CaseWorld], short_legs: Legs
) -> None:
    from backend.calls.enums import RecordingStatus

    world = case_world()
    record_id = recorded_call(world, short_legs, status=RecordingStatus.empty)
    assert service.transcribe_call_record(call_record_id=record_id) is TranscriptStatus.failed
    [transcript] = transcript_rows(record_id)
    assert transcript.attempts == 1 and transcript.error and "没有完整录音" in transcript.error


def _status(record_id: int) -> TranscriptStatus | None:
    rows = transcript_rows(record_id)
    return rows[0].status if rows else None


def _wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    poll_until(condition, timeout=timeout, what="condition not reached", interval=0.02)


def test_transcript_json_is_the_stored_bytes(case_world: Callable[[], CaseWorld], short_legs: Legs) -> None:
    world = case_world()
    record_id = recorded_call(world, short_legs)
    service.transcribe_call_record(call_record_id=record_id)
    with database.get_session() as session:
        transcript = session.scalar(select(Transcript).where(Transcript.call_record_id == record_id))
        assert transcript is not None and transcript.evidence_id is not None
        evidence = session.get_one(Evidence, transcript.evidence_id)
        raw = (evidence_service.storage.absolute_path(evidence.file_path)).read_bytes()
    assert json.loads(raw)["call_id"] and evidence.metadata_json["call_record_id"] == record_id
