import struct
from pathlib import Path

import pytest

from asr.audio import UnreadableAudio, duration_seconds, open_pcm
from tests.asr.conftest import SAMPLES_DIR, read_clip, write_wav

CLIP = "aishell1_BAC009S0002W0123.wav"


def collect(
    path: Path, *, sample_rate: int | None = None, chunk_seconds: float = 0.25
) -> tuple[int, list[bytes]]:
    with open_pcm(path, sample_rate=sample_rate, chunk_seconds=chunk_seconds) as stream:
        return stream.sample_rate, list(stream.chunks)


def samples(pcm: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(pcm) // 2}h", pcm))


def test_asterisk_leg_streams_at_its_own_rate_in_bounded_chunks(tmp_path: Path) -> None:
    telephone = read_clip(CLIP).set_frame_rate(8000)
    leg = write_wav(tmp_path / "leg.wav", telephone.raw_data, sample_rate=8000)
    rate, chunks = collect(leg, chunk_seconds=0.25)
    assert rate == 8000
    assert max(len(chunk) for chunk in chunks) == 8000 // 4 * 2
    assert b"".join(chunks) == telephone.raw_data


def test_resampling_8k_to_16k_doubles_the_samples_and_keeps_duration(tmp_path: Path) -> None:
    telephone = read_clip(CLIP).set_frame_rate(8000)
    leg = write_wav(tmp_path / "leg.wav", telephone.raw_data, sample_rate=8000)
    rate, chunks = collect(leg, sample_rate=16000, chunk_seconds=0.25)
    pcm = b"".join(chunks)
    assert rate == 16000
    assert abs(len(pcm) - 2 * len(telephone.raw_data)) <= 4 * len(chunks)
    assert max(len(chunk) for chunk in chunks) <= 16000 // 4 * 2 + 4


def test_wideband_clip_passes_through_unchanged() -> None:
    rate, chunks = collect(SAMPLES_DIR / CLIP)
    assert rate == 16000
    assert b"".join(chunks) == read_clip(CLIP).raw_data


def test_stereo_is_mixed_to_mono(tmp_path: Path) -> None:
    frames = struct.pack("<6h", 1000, 3000, -2000, 2000, 32000, 32000)
    path = write_wav(tmp_path / "stereo.wav", frames, sample_rate=8000, channels=2)
    rate, chunks = collect(path)
    assert rate == 8000
    assert samples(b"".join(chunks)) == [2000, 0, 32000]


def test_unsigned_8_bit_becomes_signed_16_bit(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "u8.wav", bytes([128, 192, 64]), sample_rate=8000, sample_width=1)
    _, chunks = collect(path)
    assert samples(b"".join(chunks)) == [0, 64 * 256, -64 * 256]


def test_24_bit_is_truncated_to_16_bit(tmp_path: Path) -> None:
    pcm = (0x123456).to_bytes(3, "little") + (-0x123456 & 0xFFFFFF).to_bytes(3, "little")
    path = write_wav(tmp_path / "s24.wav", pcm, sample_rate=16000, sample_width=3)
    _, chunks = collect(path)
    assert samples(b"".join(chunks)) == [0x1234, -0x1235]


def test_extensible_wav_is_decoded_without_ffmpeg(tmp_path: Path) -> None:
    pcm = read_clip(CLIP).set_frame_rate(8000).raw_data
    path = tmp_path / "extensible.wav"
    path.write_bytes(extensible_wav(pcm, sample_rate=8000))
    rate, chunks = collect(path)
    assert rate == 8000
    assert b"".join(chunks) == pcm
    assert duration_seconds(path) == pytest.approx(len(pcm) / 2 / 8000)


def extensible_wav(pcm: bytes, *, sample_rate: int) -> bytes:
    """A mono 16-bit WAVE_FORMAT_EXTENSIBLE file, which Python 3.11's wave module refuses."""
    subformat_pcm = bytes.fromhex("0100000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 1, sample_rate, sample_rate * 2, 2, 16, 22, 16, 4) + subformat_pcm
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_file_that_is_not_audio_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "leg.mp3"
    path.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(UnreadableAudio, match="无法解码录音"), open_pcm(path):
        pass


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), open_pcm(tmp_path / "absent.wav"):
        pass


def test_duration_of_a_pcm_wav(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "two-seconds.wav", bytes(2 * 8000 * 2), sample_rate=8000)
    assert duration_seconds(path) == 2.0
