"""N simultaneous recorded calls through the real Asterisk: events lost, recordings intact, CPU used.

    .venv/bin/python benchmarks/concurrent_calls.py [--calls 10 50 100] [--clip thchs30_test_01]

Songda here is what the API process that owns AMI runs: call control, the event pipeline, the memory
bus and the call-record writer (SQLite in a temporary data dir, recordings copied into evidence). The
agents are pyVoIP softphones (extensions 1006-1010, several calls each) in a separate process, so their
CPU is reported apart. Every party is the dialplan's simulated party playing the clip, then hanging up.
Needs the running Asterisk (`songda asterisk up`, or the telephony test fixture).
"""

import argparse
import asyncio
import hashlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from answering_phones import PhonePorts, start_answering_phones, wait_registered  # beside this script
from bench_world import phone_attempts

sys.path.append(str(Path(__file__).resolve().parents[1]))  # the repository, for tests/polling.py
from tests.polling import poll_until_async

AGENT_EXTENSIONS = ("1006", "1007", "1008", "1009", "1010")
PHONE_PORTS = PhonePorts(sip_base=27000, rtp_base=40000, rtp_ports_per_phone=200)
EXPECTED_KINDS = Counter(
    {
        "CallOriginated": 1,
        "AgentRinging": 1,
        "AgentAnswered": 1,
        "RecordingStarted": 1,
        "PartyDialled": 1,
        "PartyAnswered": 1,
        "CallBridged": 1,
        "DialResult": 1,
        "HungUp": 2,
        "RecordingStopped": 1,
        "CallEnded": 1,
    }
)
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Round:
    calls: int
    wall_seconds: float
    songda_cpu: float
    asterisk_cpu: float
    events_lost: int
    answered: int
    recordings_complete: int
    recordings_identical: int
    recordings_whole_clip: int


def run_phones(ready: Any, stop: Any, cpu: Any) -> None:
    """The agents: one pyVoIP phone per extension, answering every call it gets."""
    phones = start_answering_phones(AGENT_EXTENSIONS, PHONE_PORTS)
    try:
        if not wait_registered(phones):
            raise SystemExit(f"the agent softphones {', '.join(AGENT_EXTENSIONS)} did not register")
        ready.set()
        stop.wait()
        cpu.value = time.process_time()
    finally:
        for phone in phones:
            phone.stop()


def asterisk_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def prepare_environment() -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix="songda-bench-calls-"))
    os.environ["SONGDA_DATA_DIR"] = str(data_dir)
    os.environ["SONGDA_DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["SONGDA_AGENT_ANSWER_SECONDS"] = "20"
    return data_dir


def build_world() -> tuple[int, list[Any]]:
    """A phone delivery attempt and one agent user per extension."""
    import backend.models  # noqa: F401
    from backend import database
    from backend.auth import service as auth_service
    from backend.auth.roles import Role

    database.Base.metadata.create_all(database.configure())
    with database.get_session() as session:
        (attempt,) = phone_attempts(session, 1)
        agents = [
            auth_service.create_user(
                db_session=session,
                username=f"bench{ext}",
                full_name="压测专员",
                role=Role.agent,
                password="bench-password-1",
                sip_extension=ext,
            )
            for ext in AGENT_EXTENSIONS
        ]
        session.flush()
        return attempt.id, agents


async def place_calls(runtime: Any, attempt_id: int, agents: list[Any], calls: int, clip: str) -> list[str]:
    from backend import database
    from backend.calls import service as call_service
    from telephony.control import OriginateRequest

    call_ids = []
    with database.get_session() as session:
        for index in range(calls):
            agent = agents[index % len(agents)]
            record, _ = call_service.request_call(
                db_session=session,
                attempt_id=attempt_id,
                agent=session.merge(agent),
                number=f"1380000{index:04d}",
                idempotency_key=uuid.uuid4().hex,
            )
            call_ids.append((record.call_id, record.agent_endpoint, record.number_dialled))
    await asyncio.gather(
        *(
            runtime.control.originate(OriginateRequest(call_id=c, agent_endpoint=e, number=n, test_clip=clip))
            for c, e, n in call_ids
        )
    )
    return [call_id for call_id, _, _ in call_ids]


async def wait_finished(call_ids: list[str], timeout: float) -> dict[str, Any]:
    from sqlalchemy import select

    from backend import database
    from backend.calls.models import CallRecord

    final = ("complete", "missing", "empty")
    done: list[Any] = []

    async def all_finished() -> dict[str, Any] | None:
        with database.get_session() as session:
            rows = list(session.scalars(select(CallRecord).where(CallRecord.call_id.in_(call_ids))))
        done[:] = [r for r in rows if r.status.value == "ended" and r.recording_status.value in final]
        return {r.call_id: r for r in rows} if len(done) == len(call_ids) else None

    return await poll_until_async(
        all_finished,
        timeout=timeout,
        what=lambda: f"{len(done)}/{len(call_ids)} calls finished",
        interval=0.25,
    )


def verify_recordings(records: dict[str, Any], clip_seconds: float) -> tuple[int, int]:
    """(calls whose three evidence copies equal Asterisk's closed files byte for byte,
    calls whose mixed recording holds the whole clip, to within 0.5 s)."""
    from backend import database
    from backend.calls.recordings import wav_finalized
    from backend.config import get_settings
    from backend.evidence.models import Evidence
    from telephony.provisioning import recording_paths

    settings = get_settings()
    identical = whole = 0
    with database.get_session() as session:
        for call_id, record in records.items():
            ids = (record.mix_evidence_id, record.agent_evidence_id, record.party_evidence_id)
            items = [session.get(Evidence, item_id) for item_id in ids if item_id is not None]
            paths = recording_paths(call_id, settings=settings)
            sources = (paths.mix, paths.agent, paths.party)
            if len(items) == 3 and all(
                item is not None
                and wav_finalized(source)
                and hashlib.sha256((settings.evidence_dir / item.file_path).read_bytes()).hexdigest()
                == item.sha256
                == hashlib.sha256(source.read_bytes()).hexdigest()
                for item, source in zip(items, sources, strict=True)
            ):
                identical += 1
            if (
                items
                and items[0] is not None
                and items[0].metadata_json["duration_seconds"] >= clip_seconds - 0.5
            ):
                whole += 1
    return identical, whole


async def benchmark(sizes: list[int], clip: str) -> list[Round]:
    from backend.calls.runtime import start_runtime
    from backend.config import get_settings
    from telephony import provisioning
    from telephony.asterisk_root import running_pid
    from telephony.audio import wav_duration

    settings = get_settings()
    pid = running_pid(settings.asterisk_root)
    if pid is None:
        raise SystemExit("Asterisk is not running: start it first (songda asterisk up)")
    clip_seconds = wav_duration(settings.asterisk_root / provisioning.SOUNDS_DIR_IN_ROOT / f"{clip}.wav")
    attempt_id, agents = build_world()
    runtime = await start_runtime(settings)
    await runtime.control.ami.wait_up(10)
    events: dict[str, Counter[str]] = defaultdict(Counter)

    async def count(batch: list[Any]) -> None:
        for event in batch:
            events[event.call_id][event.kind] += 1

    runtime.control.pipeline.add_sink("benchmark-counter", count)
    runtime.control.pipeline.start()
    rounds = []
    try:
        for calls in sizes:
            songda_before, asterisk_before, started = (
                time.process_time(),
                asterisk_cpu_seconds(pid),
                time.monotonic(),
            )
            call_ids = await place_calls(runtime, attempt_id, agents, calls, clip)
            records = await wait_finished(call_ids, timeout=120 + calls)
            await runtime.writer.wait_idle()
            wall = time.monotonic() - started
            songda_cpu = time.process_time() - songda_before
            asterisk_cpu = asterisk_cpu_seconds(pid) - asterisk_before
            identical, whole = verify_recordings(records, clip_seconds)
            lost = sum(max(0, (EXPECTED_KINDS - events[call_id]).total()) for call_id in call_ids)
            rounds.append(
                Round(
                    calls=calls,
                    wall_seconds=wall,
                    songda_cpu=songda_cpu,
                    asterisk_cpu=asterisk_cpu,
                    events_lost=lost,
                    answered=sum(1 for r in records.values() if r.outcome and r.outcome.value == "answered"),
                    recordings_complete=sum(
                        1 for r in records.values() if r.recording_status.value == "complete"
                    ),
                    recordings_identical=identical,
                    recordings_whole_clip=whole,
                )
            )
            print_round(rounds[-1])
            await asyncio.sleep(2)  # let the phones release their RTP ports
    finally:
        await runtime.stop()
    return rounds


def print_round(result: Round) -> None:
    asterisk_share = 100 * result.asterisk_cpu / result.wall_seconds
    songda_share = 100 * result.songda_cpu / result.wall_seconds
    print(
        f"N={result.calls:>3}: {result.wall_seconds:5.1f} s wall; events lost {result.events_lost}; "
        f"answered {result.answered}/{result.calls}; recordings complete {result.recordings_complete}, "
        f"evidence copies identical to Asterisk's closed files {result.recordings_identical}, "
        f"holding the whole clip {result.recordings_whole_clip}; "
        f"CPU Asterisk {result.asterisk_cpu:.2f} s = {asterisk_share:.1f}% of a core "
        f"({asterisk_share / result.calls:.2f}%/call), "
        f"Songda {result.songda_cpu:.2f} s = {songda_share:.1f}% ({songda_share / result.calls:.2f}%/call)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--clip", default="thchs30_test_01")
    args = parser.parse_args()
    data_dir = prepare_environment()
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    phones_cpu = multiprocessing.Value("d", 0.0)
    phones = multiprocessing.Process(target=run_phones, args=(ready, stop, phones_cpu), daemon=True)
    phones.start()
    if not ready.wait(30):
        raise SystemExit("the agent softphones did not start")
    started = time.monotonic()
    try:
        asyncio.run(benchmark(args.calls, args.clip))
    finally:
        stop.set()
        phones.join(30)
        shutil.rmtree(data_dir, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(
        f"agent softphones (pyVoIP, separate process): {phones_cpu.value:.1f} CPU s over {elapsed:.0f} s "
        "(not Songda: stands in for the agents' own phones)"
    )


if __name__ == "__main__":
    main()
