"""AMI ingest throughput: replay real captured AMI traffic from a local TCP server (another process) into
Songda's AMI owner, normalizer, tracker and event bus, all on one asyncio thread, and print events/s.

    .venv/bin/python benchmarks/ami_ingest.py [--repeat 150] [--bus memory://|redis://127.0.0.1:6379/0]

The captures are tests/telephony/fixtures/*.txt; each repetition gives every call a fresh call id so the
tracker sees new calls, not duplicates. Two streams are measured: as Asterisk sends it without filters
(VarSet, Newexten... included, dropped unparsed by the reader) and as Asterisk sends it with Songda's
Filter actions (only the wanted events). The goal is >= 20,000 events/s read+normalized+published.
"""

import argparse
import asyncio
import multiprocessing
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from backend.core.streams import RedisStream, Stream
from telephony.ami import AmiConnection
from telephony.ami_protocol import event_name
from telephony.ami_replay import AmiReplayServer, join_frames, recorded_event_frames
from telephony.control import ami_settings_for
from telephony.events import CallEvent, CallEventCodec, call_event_stream
from telephony.normalizer import WANTED_EVENTS
from telephony.pipeline import EventPipeline

FIXTURES = Path(__file__).resolve().parent.parent / "tests/telephony/fixtures"
CALL_ID = re.compile(rb"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


@dataclass
class Result:
    frames: int
    passed: int
    published: int
    seconds: float
    cpu_seconds: float


def captured_frames() -> list[bytes]:
    return [frame for path in sorted(FIXTURES.glob("*.txt")) for frame in recorded_event_frames(path)]


def with_fresh_call_ids(block: bytes, repeat: int) -> bytes:
    """REPEAT copies of BLOCK, each with its own call ids (so every copy is a new set of calls)."""
    ids = sorted(set(CALL_ID.findall(block)))
    copies = []
    for _ in range(repeat):
        copy = block
        for old in ids:
            copy = copy.replace(old, uuid.uuid4().hex.encode())
        copies.append(copy)
    return b"".join(copies)


def serve(payload: bytes, port_queue: "multiprocessing.Queue[int]", stop: "multiprocessing.Event") -> None:  # type: ignore[valid-type]
    async def main() -> None:
        async with AmiReplayServer(payload) as server:
            port_queue.put(server.port)
            while not stop.is_set():  # type: ignore[attr-defined]
                await asyncio.sleep(0.05)

    asyncio.run(main())


def benchmark_bus(url: str) -> Stream[CallEvent]:
    """The call-event stream at URL; on Redis a private one, so the benchmark never writes into Songda's."""
    if url.startswith("memory://"):
        return call_event_stream(url)
    return RedisStream(url, name=f"songda:benchmark:{uuid.uuid4().hex}", codec=CallEventCodec())


async def ingest(port: int, total_frames: int, bus_url: str) -> Result:
    bus = benchmark_bus(bus_url)
    await bus.connect()
    published = 0

    async def publish(events: list[CallEvent]) -> None:
        nonlocal published
        await bus.publish(events)
        published += len(events)

    pipeline = EventPipeline()
    pipeline.add_sink("bus", publish)
    pipeline.start()
    settings = ami_settings_for(host="127.0.0.1", port=port, username="bench", secret="bench")
    connection = AmiConnection(settings, on_events=pipeline.on_ami_events)
    runner = asyncio.create_task(connection.run())
    stats = connection.stats
    while stats.frames == 0:  # connect and log in first: the clock starts with the first event
        await asyncio.sleep(0)
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    while (
        stats.events_passed + stats.events_dropped < total_frames
        or pipeline.pending()
        or published < pipeline.emitted
    ):
        await asyncio.sleep(0.002)
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    connection.close()
    await runner
    await pipeline.stop()
    if isinstance(bus, RedisStream):
        import redis

        with redis.Redis.from_url(bus.url) as client:
            client.delete(bus.name)
    await bus.disconnect()
    return Result(total_frames, stats.events_passed, published, wall, cpu)


def run(frames: list[bytes], repeat: int, bus_url: str) -> Result:
    payload = with_fresh_call_ids(join_frames(frames), repeat)
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(payload, ports, stop), daemon=True)
    server.start()
    try:
        return asyncio.run(ingest(ports.get(timeout=30), len(frames) * repeat, bus_url))
    finally:
        stop.set()
        server.join(10)


def report(label: str, result: Result) -> None:
    print(
        f"{label}: {result.frames:,} AMI events in {result.seconds:.2f} s "
        f"(CPU {result.cpu_seconds:.2f} s) = {result.frames / result.seconds:,.0f} events/s read "
        f"({result.frames / result.cpu_seconds:,.0f} per CPU-second); "
        f"{result.passed:,} parsed+normalized ({result.passed / result.seconds:,.0f}/s); "
        f"{result.published:,} typed events published ({result.published / result.seconds:,.0f}/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300, help="passes over the unfiltered captures")
    parser.add_argument("--bus", default="memory://")
    args = parser.parse_args()
    frames = captured_frames()
    wanted = [f for f in frames if (event_name(f) or b"").decode() in WANTED_EVENTS]
    print(f"captured traffic: {len(frames)} events per pass, {len(wanted)} of them wanted; bus {args.bus}")
    report("unfiltered stream (no AMI Filter)", run(frames, args.repeat, args.bus))
    filtered_repeat = args.repeat * len(frames) // max(len(wanted), 1)
    report("filtered stream (Songda's AMI Filter)", run(wanted, filtered_repeat, args.bus))


if __name__ == "__main__":
    main()
