from datetime import date, datetime, time
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.schemas import AttemptRead
from backend.desk.enums import DispositionKind, PresenceState
from backend.desk.models import PickupSlot


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


class SlotRead(BaseModel):
    id: int
    window: str
    window_id: int
    location: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int

    @classmethod
    def of(cls, slot: PickupSlot) -> "SlotRead":
        return cls(
            id=slot.id,
            window=slot.window.name,
            window_id=slot.window_id,
            location=slot.window.location,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=slot.capacity,
            booked=slot.booked,
        )


class WindowCreate(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    location: str | None = Field(default=None, max_length=200)
    court_id: int | None = None


class WindowRead(BaseModel):
    id: int
    name: str
    location: str | None
    court_id: int | None
    is_active: bool


class SlotsCreate(BaseModel):
    date: date
    start: time = Field(description="法院当地时间，如 09:00")
    end: time
    slot_minutes: int = Field(default=30, ge=5, le=240)
    capacity: int = Field(default=5, ge=1, le=200)


class ForcePresence(BaseModel):
    state: PresenceState = Field(description="break | offline")
    reason: str | None = Field(default=None, max_length=100)


class ListenBody(BaseModel):
    whisper: bool = Field(default=False, description="true：可对坐席耳语（当事人听不到）")


class ListenStarted(BaseModel):
    call_id: str
    spied_call_id: str
    whisper: bool
