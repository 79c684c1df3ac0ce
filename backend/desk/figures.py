"""Today's figures for the wall (court day): calls, answer rate, answered calls that ended in a pickup
appointment or consent to e-delivery (target > 60 %), and answered calls with complete recordings."""

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from backend.calls.enums import CallOutcome, RecordingStatus
from backend.calls.models import CallRecord
from backend.core.clock import beijing_day_start, court_today
from backend.database import utcnow
from backend.deliveries.enums import AttemptOutcome
from backend.deliveries.models import DeliveryAttempt
from backend.desk.snapshots import iso
from telephony.states import CallState

STEERED_OUTCOMES = (AttemptOutcome.pickup_booked, AttemptOutcome.electronic_consent)
PICKUP_OR_ELECTRONIC_TARGET = 0.6


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def today_figures(*, db_session: Session) -> dict[str, Any]:
    today = court_today()
    answered = CallRecord.outcome == CallOutcome.answered
    row = db_session.execute(
        select(
            func.count(CallRecord.id),
            func.sum(case((CallRecord.status == CallState.ended, 1), else_=0)),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((answered & DeliveryAttempt.outcome.in_(STEERED_OUTCOMES), 1), else_=0)),
            func.sum(
                case((answered & (CallRecord.recording_status == RecordingStatus.complete), 1), else_=0)
            ),
        )
        .join(DeliveryAttempt, DeliveryAttempt.id == CallRecord.delivery_attempt_id)
        .where(CallRecord.created_at >= beijing_day_start(today))
    ).one()
    calls, ended, answered_count, steered, recorded = (int(value or 0) for value in row)
    return {
        "date": today.isoformat(),
        "calls": calls,
        "calls_ended": ended,
        "calls_in_progress": calls - ended,
        "answered": answered_count,
        "answer_rate": _share(answered_count, ended),
        "answered_to_pickup_or_electronic": steered,
        "pickup_or_electronic_rate": _share(steered, answered_count),
        "pickup_or_electronic_target": PICKUP_OR_ELECTRONIC_TARGET,
        "recordings_complete": recorded,
        "recording_complete_rate": _share(recorded, answered_count),
        "generated_at": iso(utcnow()),
    }
