"""Kilometres driven, measured on the officer's GPS track: positions with poor accuracy are dropped,
and so are jumps no car could make; standing still (jitter under MIN_STEP_M) adds nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from backend.field.coords import Point, great_circle_m

MAX_ACCURACY_M = 50.0
MAX_SPEED_MS = 120 / 3.6  # faster than 120 km/h between two fixes is a jump, not a drive
MIN_STEP_M = 10.0


@dataclass(frozen=True, slots=True)
class Fix:
    at: datetime
    point: Point
    accuracy_m: float


def track_length_m(fixes: Iterable[Fix]) -> float:
    """The filtered length of a track (fixes in any order)."""
    total = 0.0
    last: Fix | None = None
    for fix in sorted(fixes, key=lambda fix: fix.at):
        if fix.accuracy_m > MAX_ACCURACY_M:
            continue
        if last is None:
            last = fix
            continue
        step = great_circle_m(last.point, fix.point)
        seconds = (fix.at - last.at).total_seconds()
        if step < MIN_STEP_M:
            continue
        if seconds <= 0 or step / seconds > MAX_SPEED_MS:
            continue
        total += step
        last = fix
    return total
