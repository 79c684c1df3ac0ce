"""When a recording counts as written: Asterisk fills in the WAV sizes only when it closes the file."""

import asyncio
import wave
from pathlib import Path

from backend.calls.recordings import wait_until_written, wav_duration_seconds, wav_finalized

SAMPLE_RATE = 8000


def closed_wav(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(b"\x01\x00" * int(SAMPLE_RATE * seconds))
    return path


def still_recording(path: Path, seconds: float) -> Path:
    """What MixMonitor leaves while recording: the audio so far, sizes in the header still 0."""
    data = bytearray(closed_wav(path, seconds).read_bytes())
    data[4:8] = data[40:44] = b"\x00\x00\x00\x00"
    path.write_bytes(bytes(data))
    return path


def test_only_a_closed_file_counts_as_written(tmp_path: Path) -> None:
    assert wav_finalized(closed_wav(tmp_path / "closed.wav", 1.0))
    assert not wav_finalized(still_recording(tmp_path / "open.wav", 1.0))
    assert not wav_finalized(tmp_path / "absent.wav")


def test_duration_of_an_unclosed_file_comes_from_its_size(tmp_path: Path) -> None:
    assert wav_duration_seconds(still_recording(tmp_path / "open.wav", 2.0)) == 2.0


def test_waiting_ends_when_the_files_are_closed_not_when_their_size_stops_changing(tmp_path: Path) -> None:
    files = {leg: still_recording(tmp_path / f"{leg}.wav", 0.5) for leg in ("mix", "agent", "party")}

    async def scenario() -> tuple[bool, bool]:
        stalled = await wait_until_written(files, timeout=0.5)  # sizes never change, yet not closed
        for path in files.values():
            closed_wav(path, 0.5)
        return stalled, await wait_until_written(files, timeout=2)

    assert asyncio.run(scenario()) == (False, True)
