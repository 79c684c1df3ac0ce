"""Is the browser's fake microphone in a recording? Chromium loops a clip, so the recording may start
anywhere in it: compare loudness envelopes against the looped clip at every phase. Firefox plays a sine
tone: measure the share of the energy at its pitch."""

import math
import statistics
from array import array
from collections.abc import Sequence
from pathlib import Path

from telephony.audio import TELEPHONE_RATE, read_wav_pcm16
from tests.telephony.audio_checks import envelope

MIN_FRAMES = 20  # 2 s of audio


def looped_clip_similarity(recorded: Path, clip: Path) -> float:
    """Best Pearson correlation (1.0 = same shape) of the recording's envelope with the looped clip's."""
    heard = envelope(read_wav_pcm16(recorded))
    played = envelope(read_wav_pcm16(clip))
    if len(heard) < MIN_FRAMES or not played:
        return -1.0
    looped = played * (len(heard) // len(played) + 2)
    best = -1.0
    for phase in range(len(played)):
        window = looped[phase : phase + len(heard)]
        if statistics.pstdev(window) and statistics.pstdev(heard):
            best = max(best, statistics.correlation(heard, window))
    return best


def tone_share(recorded: Path, frequency: float) -> float:
    """Share of the recording's energy at FREQUENCY (Goertzel over 100 ms frames): about 1.0 for a steady
    sine tone of that pitch, near 0 for speech or silence."""
    pcm = read_wav_pcm16(recorded)
    samples = array("h", pcm[: len(pcm) - len(pcm) % 2])
    frame = TELEPHONE_RATE // 10
    at_frequency = total = 0.0
    for start in range(0, len(samples) - frame + 1, frame):
        chunk = samples[start : start + frame]
        at_frequency += _goertzel_power(chunk, frequency, TELEPHONE_RATE) * 2 / frame
        total += sum(sample * sample for sample in chunk)
    return at_frequency / total if total else 0.0


def _goertzel_power(samples: Sequence[int], frequency: float, rate: int) -> float:
    coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
    previous = before_previous = 0.0
    for sample in samples:
        previous, before_previous = sample + coefficient * previous - before_previous, previous
    return previous * previous + before_previous * before_previous - coefficient * previous * before_previous
