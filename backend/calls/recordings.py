"""Copy a call's three recordings (mix, agent, party) out of Asterisk's directory into the evidence store.

Each copy is fixed by its sha256, size and duration and becomes a chained Evidence item of the call's attempt.
"""

import asyncio
import struct
import time
import wave
from pathlib import Path

from sqlalchemy.orm import Session

from backend.calls.enums import RecordingStatus
from backend.calls.models import CallRecord
from backend.config import Settings
from backend.evidence import service as evidence_service
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from telephony.provisioning import recording_paths

LEG_KINDS = {
    "mix": EvidenceKind.recording_mix,
    "agent": EvidenceKind.recording_agent,
    "party": EvidenceKind.recording_party,
}
WAV_HEADER_BYTES = 44
# Less audio than this in any leg means nothing was said: the recording counts as empty.
MIN_AUDIO_SECONDS = 0.5
POLL_SECONDS = 0.1
EMPTY_SETTLE_SECONDS = 1.0


def source_files(call_id: str, *, settings: Settings) -> dict[str, Path]:
    """Where Asterisk writes the call's recordings, as this host sees them."""
    paths = recording_paths(call_id, settings=settings)
    return {"mix": paths.mix, "agent": paths.agent, "party": paths.party}


def wav_finalized(path: Path) -> bool:
    """True once Asterisk closed the file: it writes the RIFF and data sizes into the header only then."""
    try:
        size = path.stat().st_size
        with path.open("rb") as reader:
            header = reader.read(WAV_HEADER_BYTES)
    except OSError:
        return False
    if len(header) < WAV_HEADER_BYTES or size <= WAV_HEADER_BYTES:
        return False
    riff_size: int = struct.unpack_from("<I", header, 4)[0]
    data_size: int = struct.unpack_from("<I", header, 40)[0]
    return riff_size == size - 8 and data_size == size - WAV_HEADER_BYTES


async def wait_until_written(files: dict[str, Path], *, timeout: float) -> bool:
    """True once MixMonitor closed every file (header finalised), or the files stayed header-only (no
    audio at all) for EMPTY_SETTLE_SECONDS; False at the deadline. A stable size proves nothing: Asterisk
    flushes its buffer in 32 KB steps, seconds apart."""
    deadline = time.monotonic() + timeout
    empty_since: float | None = None
    while time.monotonic() < deadline:
        if all(wav_finalized(path) for path in files.values()):
            return True
        if all(path.exists() and path.stat().st_size <= WAV_HEADER_BYTES for path in files.values()):
            empty_since = empty_since or time.monotonic()
            if time.monotonic() - empty_since >= EMPTY_SETTLE_SECONDS:
                return True
        else:
            empty_since = None
        await asyncio.sleep(POLL_SECONDS)
    return False


def wav_duration_seconds(path: Path) -> float:
    """Audio length of a WAV; for a file Asterisk never closed (sizes still 0), from its data size."""
    if wav_finalized(path):
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    with path.open("rb") as reader:
        header = reader.read(WAV_HEADER_BYTES)
    if len(header) < WAV_HEADER_BYTES:
        return 0.0
    rate: int = struct.unpack_from("<I", header, 24)[0]
    frame_bytes: int = struct.unpack_from("<H", header, 32)[0]
    data_bytes = max(path.stat().st_size - WAV_HEADER_BYTES, 0)
    return data_bytes / (rate * frame_bytes) if rate and frame_bytes else 0.0


def attach_recordings(*, db_session: Session, record: CallRecord, settings: Settings) -> None:
    """Store the recordings as chained evidence of the call's attempt and set the recording status."""
    files = source_files(record.call_id, settings=settings)
    if not all(path.exists() for path in files.values()):
        record.recording_status = RecordingStatus.missing
        return
    durations = {leg: wav_duration_seconds(path) for leg, path in files.items()}
    evidence = {
        leg: _store_leg(db_session, record=record, leg=leg, source=path, duration=durations[leg])
        for leg, path in files.items()
    }
    record.mix_evidence_id = evidence["mix"].id
    record.agent_evidence_id = evidence["agent"].id
    record.party_evidence_id = evidence["party"].id
    record.recording_seconds = durations["mix"]
    has_audio = all(seconds >= MIN_AUDIO_SECONDS for seconds in durations.values())
    record.recording_status = RecordingStatus.complete if has_audio else RecordingStatus.empty


def _store_leg(
    db_session: Session, *, record: CallRecord, leg: str, source: Path, duration: float
) -> Evidence:
    return evidence_service.store_evidence(
        db_session=db_session,
        case_id=record.delivery_attempt.delivery.case_id,
        kind=LEG_KINDS[leg],
        content_type="audio/wav",
        source_path=source,
        metadata={
            "call_id": record.call_id,
            "leg": leg,
            "duration_seconds": round(duration, 3),
            "number_dialled": record.number_dialled,
            "delivery_attempt_id": record.delivery_attempt_id,
        },
        created_by_user=record.agent,
        created_by_system="telephony",
        attempt_id=record.delivery_attempt_id,
    )
