"""Simulated call recordings: 8 kHz mono WAVs of alternating tone bursts standing in for speech.

The agent and the party take turns; the party's leg holds only the party's turns. Clips depend only on
their length, so each length is synthesised once per process.
"""

import io
import math
import wave
from functools import lru_cache
from typing import Literal

RATE = 8000
SILENCE = 128  # 8-bit PCM is unsigned
TURN_SECONDS = (3, 2, 4, 2, 3, 3)
Leg = Literal["mix", "party"]


@lru_cache(maxsize=8)
def _tone(frequency: float, seconds: int) -> bytes:
    """A syllable-like burst: FREQUENCY with a 4 Hz loudness swell, SECONDS long."""
    samples = (
        SILENCE
        + round(60 * math.sin(math.tau * frequency * n / RATE) * abs(math.sin(math.tau * 2 * n / RATE)))
        for n in range(RATE * seconds)
    )
    return bytes(samples)


def _turns(seconds: int) -> list[tuple[bool, int]]:
    """(party speaking?, length) for each turn, filling SECONDS exactly; the agent speaks first."""
    turns, used, index = [], 0, 0
    while used < seconds:
        length = min(TURN_SECONDS[index % len(TURN_SECONDS)], seconds - used)
        turns.append((index % 2 == 1, length))
        used, index = used + length, index + 1
    return turns


@lru_cache(maxsize=32)
def call_recording(seconds: int, leg: Leg) -> bytes:
    """A WAV of SECONDS: both speakers (mix) or the party's turns only (party)."""
    frames = bytearray()
    for party_speaks, length in _turns(seconds):
        if party_speaks:
            frames += _tone(220.0, 4)[: RATE * length]
        elif leg == "mix":
            frames += _tone(330.0, 4)[: RATE * length]
        else:
            frames += bytes([SILENCE]) * (RATE * length)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(1)
        recording.setframerate(RATE)
        recording.writeframes(bytes(frames))
    return buffer.getvalue()
