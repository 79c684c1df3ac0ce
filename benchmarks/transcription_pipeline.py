"""The call transcription pipeline against raw Vosk, and a 3-minute call through Celery on two workers.

    .venv/bin/python benchmarks/transcription_pipeline.py [--seconds 180] [--redis-url URL] [--model DIR]

Builds a two-leg call (agent and party taking turns, 8 kHz telephone band, from the shared Mandarin
clips) and prints: raw Vosk on both legs (PCM in memory, one after the other); the whole pipeline
(conversion, both legs in two threads, merge, evidence, index, flags) in this process; then, with two
`celery worker` processes on Redis, the time from enqueue to `done` for one call and for two calls
enqueued together. Uses a fresh SQLite database and data directory in a temporary folder.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from subprocess import DEVNULL
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.transcripts.models import Transcript

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]
SHARED = REPO.parent / "shared" / "asr"
WORKER = [
    "-m",
    "celery",
    "-A",
    "backend.worker:celery_app",
    "worker",
    "--pool=solo",
    "--loglevel=WARNING",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=180.0, help="length of the call")
    parser.add_argument(
        "--redis-url", default=os.environ.get("SONGDA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument("--model", type=Path, default=SHARED / "models" / "vosk-model-small-cn-0.22")
    parser.add_argument("--samples", type=Path, default=SHARED / "samples" / "zh")
    return parser.parse_args()


def configure(work: Path, args: argparse.Namespace) -> None:
    """Point every backend module (and the workers started later) at a private data dir and database."""
    os.environ.update(
        SONGDA_DATA_DIR=str(work),
        SONGDA_DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        SONGDA_VOSK_MODEL=str(args.model.resolve()),
        SONGDA_TASK_QUEUE_URL=args.redis_url,
    )
    import backend.models  # noqa: F401
    from backend import database

    database.Base.metadata.create_all(database.configure())


def seed_call(agent_leg: Path, party_leg: Path, mix_leg: Path) -> int:
    """A case, a phone attempt and its ended call with the legs filed as evidence; the call record id."""
    from backend.auth.models import User
    from backend.auth.roles import Role
    from backend.calls.enums import CallOutcome, RecordingStatus
    from backend.calls.models import CallRecord
    from backend.cases.enums import CaseType
    from backend.cases.models import Case
    from backend.courts.models import Court
    from backend.database import get_session
    from backend.deliveries.enums import DeliveryMethod
    from backend.deliveries.models import Delivery, DeliveryAttempt
    from backend.evidence.enums import EvidenceKind
    from backend.evidence.service import store_evidence
    from backend.parties.enums import LitigationRole, PartyType
    from backend.parties.models import Party
    from telephony.states import CallState

    tag = uuid.uuid4().hex[:8]
    with get_session() as session:
        agent = User(username=f"bench-{tag}", full_name="赵敏", role=Role.agent, password_hash="-")
        case = Case(
            court=Court(code=f"B{tag}", name="北京市西城区人民法院"),
            case_number=f"(2026)京0102民初{tag}号",
            cause="民间借贷纠纷",
            case_type=CaseType.civil,
            filed_on=date(2026, 1, 5),
        )
        party = Party(
            case=case,
            identity_key=tag,
            name="刘洋",
            party_type=PartyType.natural_person,
            litigation_role=LitigationRole.defendant,
        )
        attempt = DeliveryAttempt(delivery=Delivery(case=case, party=party), method=DeliveryMethod.phone)
        session.add_all([agent, case, party, attempt])
        session.flush()
        legs = {"mix": mix_leg, "agent": agent_leg, "party": party_leg}
        ids = {
            leg: store_evidence(
                db_session=session,
                case_id=case.id,
                kind=EvidenceKind(f"recording_{leg}"),
                content_type="audio/wav",
                source_path=path,
                created_by_system="telephony",
                attempt_id=attempt.id,
            ).id
            for leg, path in legs.items()
        }
        record = CallRecord(
            call_id=uuid.uuid4().hex,
            idempotency_key=tag,
            delivery_attempt_id=attempt.id,
            agent_user_id=agent.id,
            agent_endpoint="1001",
            number_dialled="13800138000",
            status=CallState.ended,
            outcome=CallOutcome.answered,
            recording_status=RecordingStatus.complete,
            mix_evidence_id=ids["mix"],
            agent_evidence_id=ids["agent"],
            party_evidence_id=ids["party"],
        )
        session.add(record)
        session.flush()
        return record.id


def transcript_of(call_record_id: int) -> "Transcript | None":
    from backend.database import get_session
    from backend.transcripts.claims import get_transcript

    with get_session() as session:
        return get_transcript(db_session=session, call_record_id=call_record_id)


def build_call(work: Path, args: argparse.Namespace) -> tuple[Path, Path, Path]:
    from asr_rtf import load_clips, turn_taking_call, write_leg

    agent, party = turn_taking_call(load_clips(args.samples), args.seconds)
    return (
        write_leg(work / "agent.wav", agent),
        write_leg(work / "party.wav", party),
        write_leg(work / "mix.wav", agent.overlay(party)),
    )


def report_in_process(legs: tuple[Path, Path, Path], args: argparse.Namespace) -> None:
    from asr_rtf import Stopwatch, raw_vosk

    from asr import engine
    from backend.transcripts import service

    engine.load_model(args.model)
    audio = 2 * args.seconds
    raw = raw_vosk([legs[0], legs[1]], args.model)
    print(
        f"raw Vosk, both legs one after the other: {raw.wall:.1f} s wall, {raw.cpu:.1f} s CPU"
        f" (RTF {raw.wall / audio:.3f} per second of leg audio)"
    )
    record_id = seed_call(*legs)
    with Stopwatch() as whole:
        service.transcribe_call_record(call_record_id=record_id)
    transcript = transcript_of(record_id)
    assert transcript is not None and transcript.processing_seconds is not None, "no transcript"
    storing = whole.wall - transcript.processing_seconds
    print(
        "pipeline (conversion, both legs in 2 threads, merge, evidence, index, flags):"
        f" {whole.wall:.1f} s wall, {whole.cpu:.1f} s CPU; recognition {transcript.processing_seconds:.1f} s,"
        f" claim + storing {storing:.2f} s; {len(transcript.utterances)} utterances"
    )
    print(
        f"pipeline vs raw Vosk: {100 * (whole.cpu - raw.cpu) / raw.cpu:+.1f} % CPU,"
        f" {100 * (whole.wall - raw.wall) / raw.wall:+.1f} % wall"
    )


def finished(call_record_id: int) -> bool:
    transcript = transcript_of(call_record_id)
    return transcript is not None and transcript.status.value in ("done", "failed")


def wait_done(record_ids: list[int], timeout: float) -> None:
    from tests.polling import poll_until

    poll_until(
        lambda: all(finished(record_id) for record_id in record_ids),
        timeout=timeout,
        what="transcripts not done in time",
        interval=0.1,
    )


def report_celery(legs: tuple[Path, Path, Path], args: argparse.Namespace) -> None:
    import redis

    from backend.transcripts import service
    from backend.worker import celery_app

    queue = f"songda-bench-{uuid.uuid4().hex[:8]}"
    celery_app.conf.update(broker_url=args.redis_url, task_default_queue=queue)
    workers = [
        subprocess.Popen(
            [sys.executable, *WORKER, "-Q", queue, "-n", f"bench{i}@%h"],
            cwd=REPO,
            stdout=DEVNULL,
            stderr=DEVNULL,
        )
        for i in range(2)
    ]
    try:
        for calls in (1, 2):
            record_ids = [seed_call(*legs) for _ in range(calls)]
            started = time.perf_counter()
            for record_id in record_ids:
                service.enqueue_transcription(call_record_id=record_id)
            wait_done(record_ids, timeout=20 * args.seconds)
            elapsed = time.perf_counter() - started
            statuses = [str(getattr(transcript_of(i), "status", None)) for i in record_ids]
            print(
                f"Celery, two workers, {calls} call(s) of {args.seconds:.0f} s enqueued together:"
                f" enqueue -> done {elapsed:.1f} s ({elapsed / args.seconds:.3f} x call duration) {statuses}"
            )
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
        with redis.Redis.from_url(args.redis_url) as client:
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def main() -> None:
    args = parse_args()
    print(f"CPU cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="songda-transcription-bench-") as folder:
        work = Path(folder)
        configure(work, args)
        legs = build_call(work, args)
        print(f"call: two legs of {args.seconds:.0f} s (8 kHz mono, telephone band), speakers taking turns")
        report_in_process(legs, args)
        report_celery(legs, args)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
