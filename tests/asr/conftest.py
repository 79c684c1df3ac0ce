"""ASR fixtures: the real Vosk Mandarin model (loaded once per session) and the real Mandarin clips."""

import wave
from pathlib import Path

import pytest

from asr import engine
from asr.audio import AudioSegment, audioop
from asr.transcript import LegTranscript
from tests.conftest import SHARED_DIR

MODEL_PATH = SHARED_DIR / "asr" / "models" / "vosk-model-small-cn-0.22"
SAMPLES_DIR = SHARED_DIR / "asr" / "samples" / "zh"


def write_wav(path: Path, pcm: bytes, *, sample_rate: int, channels: int = 1, sample_width: int = 2) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(sample_width)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm)
    return path


def read_clip(name: str) -> AudioSegment:
    return AudioSegment(data=(SAMPLES_DIR / name).read_bytes())


def telephone_band(segment: AudioSegment) -> AudioSegment:
    """What a PSTN call delivers: 300-3400 Hz, 8 kHz, G.711 mu-law companded.

    pydub's filters are one-pole (6 dB/octave): four low-pass passes give 24 dB/octave above 3400 Hz
    before decimation to 8 kHz.
    """
    for _ in range(4):
        segment = segment.low_pass_filter(3400)
    narrow = segment.high_pass_filter(300).set_frame_rate(8000).set_sample_width(2)
    companded = audioop.ulaw2lin(audioop.lin2ulaw(narrow.raw_data, 2), 2)
    return narrow._spawn(companded)


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The shared model, loaded into this process once for the whole session."""
    engine.load_model(MODEL_PATH)
    return MODEL_PATH


@pytest.fixture(scope="session")
def references() -> dict[str, str]:
    lines = (SAMPLES_DIR / "transcripts.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line.strip())


@pytest.fixture(scope="session")
def wideband_transcripts(model_path: Path, references: dict[str, str]) -> dict[str, LegTranscript]:
    """Every clip as recorded (16 kHz), transcribed once per session."""
    return {name: engine.transcribe_leg(SAMPLES_DIR / name, model_path=model_path) for name in references}
