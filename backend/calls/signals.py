"""What the calls domain announces after commit; transcripts react."""

from dataclasses import dataclass

from backend.core.signals import Signal


@dataclass(frozen=True, slots=True)
class RecordingFiled(Signal):
    """A call's three recording legs are stored as chained evidence and hold audio."""

    call_record_id: int
