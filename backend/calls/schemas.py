from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from backend.calls.enums import CallOutcome, RecordingStatus
from telephony.causes import cause_label
from telephony.states import CALL_STATE_LABELS, CallState


class CallCreate(BaseModel):
    delivery_attempt_id: int
    number: str = Field(pattern=r"^\d{3,20}$")
    # Only for the simulated parties of the test route: which clip the party plays, how long it rings.
    test_clip: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,80}$")
    ring_timeout_seconds: int | None = Field(default=None, ge=1, le=120)


class CallRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    call_id: str
    delivery_attempt_id: int
    agent_user_id: int
    agent_endpoint: str
    number_dialled: str
    connected_number: str | None
    status: CallState
    originated_at: datetime | None
    agent_answered_at: datetime | None
    dialled_at: datetime | None
    ring_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    talk_seconds: int | None
    outcome: CallOutcome | None
    dial_status: str | None
    hangup_cause: int | None
    hangup_cause_text: str | None
    recording_status: RecordingStatus
    recording_seconds: float | None
    mix_evidence_id: int | None
    agent_evidence_id: int | None
    party_evidence_id: int | None
    counts_as_phone_delivery: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def hangup_cause_label(self) -> str | None:
        """The Q.850 cause in words (正常挂机, 用户忙...)."""
        return cause_label(self.hangup_cause)


class LiveCallRead(BaseModel):
    call_id: str
    started_at: datetime
    agent_endpoint: str | None
    number: str | None
    state: CallState
    on_hold: bool
    recording: bool
    agent_answered: bool
    party_answered: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state_label(self) -> str:
        return CALL_STATE_LABELS[self.state]
