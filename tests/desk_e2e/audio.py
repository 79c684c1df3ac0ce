"""Is the fake microphone's clip in a recording? The clip loops in Chromium, so the recording may start
anywhere in it: compare loudness envelopes against the looped clip at every phase."""

import statistics
from pathlib import Path

from telephony.audio import read_wav_pcm16
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
