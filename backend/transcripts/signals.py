"""What the transcripts domain announces after commit; proofs react."""

from dataclasses import dataclass

from backend.core.signals import Signal


@dataclass(frozen=True, slots=True)
class TranscriptSettled(Signal):
    """A call's transcript is done or finally failed: a proof waiting for it may now be made."""

    call_record_id: int
