"""What the deliveries domain announces after commit; later domains (evidence: the proof) react."""

from dataclasses import dataclass

from backend.core.signals import Signal


@dataclass(frozen=True, slots=True)
class AttemptSucceeded(Signal):
    """An attempt served its delivery: every fact its method requires is recorded."""

    attempt_id: int
