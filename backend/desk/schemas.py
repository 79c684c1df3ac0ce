from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.schemas import AttemptRead
from backend.desk.enums import DispositionKind, PresenceState


class PresenceChange(BaseModel):
    state: PresenceState = Field(description="available | break | offline")
    reason: str | None = Field(default=None, max_length=100, description="小休原因")


class ReleaseBody(BaseModel):
    reason: str | None = Field(default=None, max_length=200)


class CallBody(BaseModel):
    contact_point_id: int


class CallStarted(BaseModel):
    call_id: str
    attempt_id: int
    created: bool


class DispositionBody(BaseModel):
    kind: DispositionKind
    slot_id: int | None = None
    mobile: str | None = Field(default=None, pattern=r"^1\d{10}$")
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    consent: bool = False
    address: str | None = Field(default=None, max_length=300)
    notes: str | None = Field(default=None, max_length=2000)
    contact_point_id: int | None = Field(default=None, description="wrong_number: 错误的号码")
    callback_at: AwareDatetime | None = Field(
        default=None, description="callback: 约定时间；失败结果：指定重拨时间"
    )
    next_method: DeliveryMethod | None = Field(default=None, description="失败结果：改用 postal 或 field")


class DispositionResult(BaseModel):
    attempt: AttemptRead
    outcome: str
    details: dict[str, Any]
    evidence_id: int | None
    presence: dict[str, Any]


class ForcePresence(BaseModel):
    state: PresenceState = Field(description="break | offline")
    reason: str | None = Field(default=None, max_length=100)


class ListenBody(BaseModel):
    whisper: bool = Field(default=False, description="true：可对坐席耳语（当事人听不到）")


class ListenStarted(BaseModel):
    call_id: str
    spied_call_id: str
    whisper: bool
