"""Real-time factor of the ASR pipeline against raw Vosk, and a 3-minute call on two worker processes.

Run from the repository: .venv/bin/python benchmarks/asr_rtf.py [--samples DIR] [--model DIR] [--repeat N]
Legs are written as Asterisk writes them (8 kHz mono 16-bit WAV) from the shared Mandarin clips,
band-limited to telephone quality. Timings on a shared machine vary: the load average is printed.
"""

import argparse
import os
import sys
import tempfile
import time
import wave
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from asr import engine  # noqa: E402
from asr.audio import AudioSegment, open_pcm  # noqa: E402
from asr.dialogue import merge_dialogue  # noqa: E402
from asr.transcript import LegTranscript  # noqa: E402

SHARED = REPO.parent / "shared" / "asr"
CALL_SECONDS = 180.0
CHUNK_BYTES = 4000  # 0.25 s at 8 kHz, as the pipeline reads


def telephone_band(segment: AudioSegment) -> AudioSegment:
    for _ in range(4):
        segment = segment.low_pass_filter(3400)
    return segment.high_pass_filter(300).set_frame_rate(8000).set_sample_width(2)


def write_leg(path: Path, segment: AudioSegment) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(segment.raw_data)
    return path


def load_clips(samples: Path) -> list[AudioSegment]:
    return [telephone_band(AudioSegment(data=path.read_bytes())) for path in sorted(samples.glob("*.wav"))]


def continuous_speech(clips: list[AudioSegment], seconds: float) -> AudioSegment:
    """Clips one after another with 0.5 s pauses, cut to `seconds`."""
    pause = AudioSegment.silent(duration=500, frame_rate=8000)
    speech = AudioSegment.silent(duration=0, frame_rate=8000)
    while speech.duration_seconds < seconds:
        for clip in clips:
            speech += clip + pause
    return speech[: int(seconds * 1000)]


def turn_taking_call(clips: list[AudioSegment], seconds: float) -> tuple[AudioSegment, AudioSegment]:
    """Two legs of `seconds` each: agent and party speak clips in turn, each silent while the other talks."""
    gap = AudioSegment.silent(duration=800, frame_rate=8000)
    agent = party = AudioSegment.silent(duration=0, frame_rate=8000)
    turn = 0
    while agent.duration_seconds < seconds:
        speech = clips[turn % len(clips)]
        quiet = AudioSegment.silent(duration=len(speech), frame_rate=8000)
        agent += (speech if turn % 2 == 0 else quiet) + gap
        party += (quiet if turn % 2 == 0 else speech) + gap
        turn += 1
    return agent[: int(seconds * 1000)], party[: int(seconds * 1000)]


class Stopwatch:
    """Wall-clock and CPU seconds of this process over a `with` block (CPU time resists a busy machine)."""

    def __enter__(self) -> "Stopwatch":
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def raw_vosk(legs: list[Path], model_path: Path) -> Stopwatch:
    """Vosk alone on PCM already in memory, with the pipeline's recogniser settings and chunk size."""
    import vosk  # type: ignore[import-untyped]

    pcms = []
    for path in legs:
        with wave.open(str(path), "rb") as reader:
            pcms.append(reader.readframes(reader.getnframes()))
    with Stopwatch() as watch:
        for pcm in pcms:
            recognizer = vosk.KaldiRecognizer(engine.load_model(model_path), 8000)
            recognizer.SetWords(True)
            for offset in range(0, len(pcm), CHUNK_BYTES):
                if recognizer.AcceptWaveform(pcm[offset : offset + CHUNK_BYTES]):
                    recognizer.Result()
            recognizer.FinalResult()
    return watch


def conversion_only(legs: list[Path]) -> Stopwatch:
    with Stopwatch() as watch:
        for path in legs:
            with open_pcm(path) as stream:
                for _ in stream.chunks:
                    pass
    return watch


def pipeline(legs: list[Path], model_path: Path) -> Stopwatch:
    with Stopwatch() as watch:
        engine.transcribe_call(agent_leg=legs[0], party_leg=legs[1], model_path=model_path)
    return watch


def two_worker_call(agent_leg: Path, party_leg: Path, model_path: Path) -> tuple[float, float, float]:
    """Wall time for both legs on two worker processes, each with the model loaded (a warm worker)."""
    context = get_context("spawn")
    pool = ProcessPoolExecutor(2, mp_context=context, initializer=engine.load_model, initargs=(model_path,))
    with context.Manager() as manager, pool:
        barrier = manager.Barrier(2)
        for ready in [pool.submit(wait_for_both, barrier) for _ in range(2)]:
            ready.result()
        started = time.perf_counter()
        agent = pool.submit(leg_in_worker, agent_leg, model_path)
        party = pool.submit(leg_in_worker, party_leg, model_path)
        (agent_words, agent_cpu), (party_words, party_cpu) = agent.result(), party.result()
        merge_dialogue(agent=agent_words, party=party_words)
        return time.perf_counter() - started, agent_cpu, party_cpu


def leg_in_worker(path: Path, model_path: Path) -> tuple[LegTranscript, float]:
    """One leg in a worker process, with the CPU seconds it took there."""
    with Stopwatch() as watch:
        transcript = engine.transcribe_leg(path, model_path=model_path)
    return transcript, watch.cpu


def wait_for_both(barrier: Any) -> None:
    """Runs in each worker: returns once both workers have started and loaded the model."""
    barrier.wait(timeout=120)


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as reader:
        return reader.getnframes() / reader.getframerate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=Path, default=SHARED / "samples" / "zh")
    parser.add_argument("--model", type=Path, default=SHARED / "models" / "vosk-model-small-cn-0.22")
    parser.add_argument("--repeat", type=int, default=1, help="alternate raw and pipeline, keep the fastest")
    args = parser.parse_args()
    print(f"CPU cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")
    engine.load_model(args.model)
    clips = load_clips(args.samples)
    with tempfile.TemporaryDirectory(prefix="songda-asr-bench-") as work:
        folder = Path(work)
        agent_leg = write_leg(folder / "agent.wav", clips[0])
        party_leg = write_leg(folder / "party.wav", continuous_speech(clips, CALL_SECONDS))
        report_pipeline(agent_leg, party_leg, args.model, args.repeat)
        call_agent, call_party = turn_taking_call(clips, CALL_SECONDS)
        call_agent_leg = write_leg(folder / "call-agent.wav", call_agent)
        report_call(call_agent_leg, write_leg(folder / "call-party.wav", call_party), args.model)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


def fastest(watches: Iterable[Stopwatch]) -> Stopwatch:
    return min(watches, key=lambda watch: watch.cpu)


def report_pipeline(agent_leg: Path, party_leg: Path, model_path: Path, repeat: int) -> None:
    legs = [agent_leg, party_leg]
    audio = seconds(agent_leg) + seconds(party_leg)
    print(
        f"legs: agent {seconds(agent_leg):.1f} s (one clip), party {seconds(party_leg):.1f} s"
        " (clips in a row); 8 kHz mono 16-bit WAV, telephone band"
    )
    convert = conversion_only(legs)
    rounds = [(raw_vosk(legs, model_path), pipeline(legs, model_path)) for _ in range(repeat)]
    raw, full = fastest(watch for watch, _ in rounds), fastest(watch for _, watch in rounds)
    print(f"conversion alone: {convert.wall:.3f} s wall, {convert.cpu:.3f} s CPU")
    for name, watch in (("raw Vosk, PCM in memory", raw), ("pipeline: conversion, both legs, merge", full)):
        print(f"{name}: {watch.wall:.1f} s wall, RTF {watch.wall / audio:.3f}; CPU {watch.cpu / audio:.3f}")
    print(
        f"pipeline overhead over raw Vosk: {100 * (full.cpu - raw.cpu) / raw.cpu:+.1f} % CPU,"
        f" {100 * (full.wall - raw.wall) / raw.wall:+.1f} % wall"
    )


def report_call(agent_leg: Path, party_leg: Path, model_path: Path) -> None:
    wall, agent_cpu, party_cpu = two_worker_call(agent_leg, party_leg, model_path)
    call = seconds(agent_leg)
    print(
        f"3-minute call (two {call:.0f} s legs, speakers taking turns) on two worker processes, legs in"
        f" parallel: {wall:.1f} s wall ({wall / call:.3f} x call duration);"
        f" worker CPU agent {agent_cpu:.1f} s, party {party_cpu:.1f} s"
    )


if __name__ == "__main__":
    main()
