"""WAV conversions for telephony: 8 kHz mono PCM for Asterisk, 8-bit unsigned for pyVoIP."""

import audioop  # stdlib up to 3.12; the audioop-lts package provides it on 3.13+
import wave
from pathlib import Path

TELEPHONE_RATE = 8000


def read_wav_pcm16(path: Path, *, rate: int = TELEPHONE_RATE) -> bytes:
    """Read any PCM WAV as mono 16-bit little-endian samples at `rate`."""
    with wave.open(str(path), "rb") as wav:
        width, channels, source_rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    if width == 1:
        frames = audioop.bias(frames, 1, -128)
    pcm = audioop.lin2lin(frames, width, 2) if width != 2 else frames
    if channels == 2:
        pcm = audioop.tomono(pcm, 2, 0.5, 0.5)
    if source_rate != rate:
        pcm, _ = audioop.ratecv(pcm, 2, 1, source_rate, rate, None)
    return pcm


def write_wav_pcm16(path: Path, pcm: bytes, *, rate: int = TELEPHONE_RATE) -> None:
    """Write mono 16-bit samples as a WAV file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)


def convert_to_telephone_wav(source: Path, target: Path) -> None:
    """Convert a WAV to 8 kHz mono 16-bit, the format Asterisk plays without transcoding."""
    write_wav_pcm16(target, read_wav_pcm16(source))


def pcm16_to_unsigned8(pcm: bytes) -> bytes:
    """16-bit signed samples to pyVoIP's 8-bit unsigned linear."""
    return audioop.bias(audioop.lin2lin(pcm, 2, 1), 1, 128)


def unsigned8_to_pcm16(data: bytes) -> bytes:
    """pyVoIP's 8-bit unsigned linear to 16-bit signed samples."""
    return audioop.lin2lin(audioop.bias(data, 1, -128), 1, 2)


def rms(pcm: bytes) -> int:
    """Root mean square of 16-bit samples (silence is close to 0, speech in the thousands)."""
    return int(audioop.rms(pcm, 2)) if pcm else 0


def wav_duration(path: Path) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()
