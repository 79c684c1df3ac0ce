"""Comparisons of recorded telephone audio with the clips that were played."""

import statistics
from pathlib import Path

from telephony.audio import read_wav_pcm16, rms

FRAME_BYTES = 1600  # 100 ms of 8 kHz 16-bit audio
# pyVoIP's Python sender runs a few per cent slow when the CPU is busy: allow for the stretch.
SPEEDS = [0.94 + 0.01 * step for step in range(13)]


def envelope(pcm: bytes) -> list[float]:
    """RMS per 100 ms frame."""
    return [float(rms(pcm[i : i + FRAME_BYTES])) for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)]


def envelope_similarity(recorded: Path, clip: Path, *, max_lag_frames: int = 15) -> float:
    """Best Pearson correlation of the loudness envelopes over small shifts and speeds (1.0 = same shape)."""
    heard, played = envelope(read_wav_pcm16(recorded)), envelope(read_wav_pcm16(clip))
    best = -1.0
    for speed in SPEEDS:
        stretched = [played[int(i / speed)] for i in range(int(len(played) * speed))]
        for lag in range(-max_lag_frames, max_lag_frames + 1):
            best = max(best, _correlation_at(heard, stretched, lag))
    return best


def _correlation_at(heard: list[float], played: list[float], lag: int) -> float:
    a, b = (heard[lag:], played) if lag >= 0 else (heard, played[-lag:])
    length = min(len(a), len(b))
    if length < 20 or not statistics.pstdev(a[:length]) or not statistics.pstdev(b[:length]):
        return -1.0
    return statistics.correlation(a[:length], b[:length])


def file_rms(path: Path) -> int:
    return rms(read_wav_pcm16(path))
