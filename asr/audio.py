"""Turn any recording leg into the mono 16-bit PCM stream the recogniser takes, chunk by chunk.

Plain PCM WAV (what Asterisk writes: 8 kHz mono 16-bit) is streamed with the standard `wave` module
and converted block by block with pydub, so no more than one block is held. Other formats (GSM WAV,
MP3, Ogg...) are decoded whole by pydub through ffmpeg, which is only needed for them.

By default the stream keeps the file's sample rate: Vosk is told that rate and resamples inside Kaldi
with a windowed-sinc filter, which measured as good or better than upsampling 8 kHz telephone audio to
16 kHz here (audioop's linear interpolation), see the figures in tests/asr/test_asr_recognition.py.
"""

import shutil
import warnings
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # pydub imports the deprecated audioop module and warns when ffmpeg is absent: WAV needs neither.
    # Re-exported so that other code uses pydub through here, after the warnings are silenced.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment as AudioSegment  # type: ignore[import-untyped]
    from pydub.exceptions import CouldntDecodeError  # type: ignore[import-untyped]
    from pydub.utils import audioop as audioop  # type: ignore[import-untyped]

SAMPLE_WIDTH = 2
CHUNK_SECONDS = 0.25


class UnreadableAudio(ValueError):
    """The recording cannot be decoded (not audio, or a compressed format without ffmpeg)."""


@dataclass(frozen=True, slots=True)
class SourceFormat:
    sample_rate: int
    channels: int
    sample_width: int


class PcmConverter:
    """Converts consecutive raw blocks to mono 16-bit at `target_rate`, carrying the resampler state."""

    def __init__(self, source: SourceFormat, target_rate: int) -> None:
        self.source = source
        self.target_rate = target_rate
        self._ratecv_state: Any = None

    def convert(self, block: bytes) -> bytes:
        data = block
        if self.source.sample_width == 1:
            data = audioop.bias(data, 1, -128)  # WAV stores 8-bit samples unsigned
        segment = AudioSegment(
            data=data,
            sample_width=self.source.sample_width,
            frame_rate=self.source.sample_rate,
            channels=self.source.channels,
        )
        mono = segment.set_channels(1).set_sample_width(SAMPLE_WIDTH).raw_data
        return self._resample(mono)

    def _resample(self, data: bytes) -> bytes:
        if self.source.sample_rate == self.target_rate:
            return data
        converted, self._ratecv_state = audioop.ratecv(
            data, SAMPLE_WIDTH, 1, self.source.sample_rate, self.target_rate, self._ratecv_state
        )
        return bytes(converted)


@dataclass(frozen=True, slots=True)
class PcmStream:
    """Mono 16-bit little-endian PCM at `sample_rate`, as an iterator of chunks."""

    sample_rate: int
    chunks: Iterator[bytes]


@contextmanager
def open_pcm(
    path: Path, *, sample_rate: int | None = None, chunk_seconds: float = CHUNK_SECONDS
) -> Iterator[PcmStream]:
    """Open a recording as mono 16-bit PCM, at `sample_rate` or (None) at the file's own rate."""
    reader = open_pcm_wav(path)
    if reader is None:
        yield _decoded_stream(path, sample_rate=sample_rate, chunk_seconds=chunk_seconds)
        return
    with reader:
        target_rate = sample_rate or reader.getframerate()
        chunks = _wav_chunks(reader, target_rate=target_rate, chunk_seconds=chunk_seconds)
        yield PcmStream(target_rate, chunks)


def open_pcm_wav(path: Path) -> wave.Wave_read | None:
    """A reader for an uncompressed PCM WAV file, or None when the file is anything else."""
    try:
        return wave.open(str(path), "rb")
    except (wave.Error, EOFError):
        return None


def _wav_chunks(reader: wave.Wave_read, *, target_rate: int, chunk_seconds: float) -> Iterator[bytes]:
    source = SourceFormat(reader.getframerate(), reader.getnchannels(), reader.getsampwidth())
    converter = PcmConverter(source, target_rate)
    frames_per_chunk = max(1, int(source.sample_rate * chunk_seconds))
    while block := reader.readframes(frames_per_chunk):
        yield converter.convert(block)


def _decoded_stream(path: Path, *, sample_rate: int | None, chunk_seconds: float) -> PcmStream:
    segment = load_segment(path).set_channels(1).set_sample_width(SAMPLE_WIDTH)
    if sample_rate:
        segment = segment.set_frame_rate(sample_rate)
    data = segment.raw_data
    step = max(1, int(segment.frame_rate * chunk_seconds)) * SAMPLE_WIDTH
    chunks = (data[offset : offset + step] for offset in range(0, len(data), step))
    return PcmStream(segment.frame_rate, chunks)


def load_segment(path: Path) -> AudioSegment:
    """Decode a whole file with pydub: RIFF WAV natively, anything else through ffmpeg."""
    with path.open("rb") as file:
        if file.read(4) == b"RIFF":
            file.seek(0)
            try:
                return AudioSegment(data=file.read())
            except CouldntDecodeError:
                pass  # a compressed WAV (GSM, A-law...): ffmpeg may know it
        if shutil.which("ffmpeg") is None:
            raise UnreadableAudio(f"无法解码录音 {path}：非 PCM WAV 格式需要安装 ffmpeg")
        file.seek(0)
        try:
            return AudioSegment.from_file(file, format=_format_hint(path))
        except CouldntDecodeError as exc:
            raise UnreadableAudio(f"无法解码录音 {path}") from exc


def _format_hint(path: Path) -> str | None:
    return path.suffix.lstrip(".").lower() or None


def duration_seconds(path: Path) -> float:
    """Length of a recording in seconds, without decoding PCM WAV."""
    reader = open_pcm_wav(path)
    if reader is None:
        return float(load_segment(path).duration_seconds)
    with reader:
        return reader.getnframes() / reader.getframerate()
