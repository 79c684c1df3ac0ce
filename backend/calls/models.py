from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.calls.enums import CallOutcome, RecordingStatus
from backend.database import Base, enum_column, utcnow
from telephony.states import CallState

if TYPE_CHECKING:
    from backend.auth.models import User
    from backend.deliveries.models import DeliveryAttempt


class CallRecord(Base):
    """One phone call placed for a delivery attempt: who, which number, when, how it ended, its recording."""

    __tablename__ = "call_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(32), unique=True)  # Asterisk ChannelId / Linkedid
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    delivery_attempt_id: Mapped[int] = mapped_column(ForeignKey("delivery_attempt.id"), index=True)
    agent_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    agent_endpoint: Mapped[str] = mapped_column(String(40))
    number_dialled: Mapped[str] = mapped_column(String(32))
    connected_number: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[CallState] = mapped_column(
        enum_column(CallState), default=CallState.originating, index=True
    )

    originated_at: Mapped[datetime | None]
    agent_answered_at: Mapped[datetime | None]
    dialled_at: Mapped[datetime | None]  # Dial() towards the party began
    ring_at: Mapped[datetime | None]  # the party's phone rang
    answered_at: Mapped[datetime | None]  # the party answered
    ended_at: Mapped[datetime | None]
    talk_seconds: Mapped[int | None]

    outcome: Mapped[CallOutcome | None] = mapped_column(enum_column(CallOutcome), index=True)
    dial_status: Mapped[str | None] = mapped_column(String(20))
    hangup_cause: Mapped[int | None]  # Q.850
    hangup_cause_text: Mapped[str | None] = mapped_column(String(100))

    recording_status: Mapped[RecordingStatus] = mapped_column(
        enum_column(RecordingStatus), default=RecordingStatus.pending
    )
    recording_seconds: Mapped[float | None]
    mix_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    agent_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    party_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))

    # Every typed call event applied, in order: [{"type": ..., "at": ..., "resynced": ...}].
    event_log: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # the wall's today
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    delivery_attempt: Mapped["DeliveryAttempt"] = relationship()
    agent: Mapped["User"] = relationship()

    @property
    def counts_as_phone_delivery(self) -> bool:
        """Only an answered call with a complete recording can serve as phone delivery."""
        return self.outcome is CallOutcome.answered and self.recording_status is RecordingStatus.complete
