from datetime import date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, Field

from backend.core.api_types import CourtTime
from backend.pickup.enums import BookingStatus
from backend.pickup.models import PickupSlot, PickupWindow


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

    @classmethod
    def of(cls, window: PickupWindow) -> "WindowRead":
        return cls(
            id=window.id,
            name=window.name,
            location=window.location,
            court_id=window.court_id,
            is_active=window.is_active,
        )


class SlotsCreate(BaseModel):
    date: date
    start: time = Field(description="法院当地时间，如 09:00")
    end: time
    slot_minutes: int = Field(default=30, ge=5, le=240)
    capacity: int = Field(default=5, ge=1, le=200)


class TemplateCreate(BaseModel):
    weekdays: list[int] = Field(min_length=1, max_length=7, description="ISO 星期：1=周一 … 7=周日")
    start: time = Field(description="法院当地时间，如 09:00")
    end: time
    slot_minutes: int = Field(default=30, ge=5, le=240)
    capacity: int = Field(default=5, ge=1, le=200)


class TemplateRead(BaseModel):
    id: int
    window_id: int
    weekdays: list[int]
    start: CourtTime
    end: CourtTime
    slot_minutes: int
    capacity: int


class SlotsGenerate(BaseModel):
    first: date = Field(description="第一天（法院当地日期）")
    days: int = Field(default=30, ge=1, le=120)


class HolidayCreate(BaseModel):
    day: date
    name: str = Field(min_length=1, max_length=50)


class HolidayRead(BaseModel):
    id: int
    day: date
    name: str


class ProxyIn(BaseModel):
    """An agent or lawyer collecting for the party (代理人凭授权委托书领取)."""

    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=32)
    authorisation: str = Field(min_length=1, max_length=200, description="授权委托书（编号或说明）")


class CheckIn(BaseModel):
    id_number: str = Field(default="", max_length=32, description="当事人身份证号码（扫描或输入）")
    code: str | None = Field(default=None, max_length=12, description="短信中的预约码")
    booking_id: int | None = None
    proxy: ProxyIn | None = None


class WalkIn(BaseModel):
    delivery_id: int
    window_id: int
    id_number: str = Field(default="", max_length=32)
    proxy: ProxyIn | None = None


class HandOver(BaseModel):
    document_ids: list[int] = Field(min_length=1, max_length=100)


class AddressConfirmationSign(BaseModel):
    strokes: list[dict[str, Any]] = Field(min_length=1, max_length=500)
    png_data_url: str = Field(max_length=1_500_000)
    postal_address: str | None = Field(default=None, max_length=300)
    mobile: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=200)
    consents_to_electronic: bool = False


class Refusal(BaseModel):
    note: str = Field(min_length=1, max_length=500, description="经办人员说明拒签情况")
    witness: str = Field(min_length=1, max_length=200, description="见证人姓名及身份")


class WindowServe(BaseModel):
    outcome: Literal["served", "left_with_refusal"] = "served"


class BookingRebook(BaseModel):
    slot_id: int


class WindowDocument(BaseModel):
    id: int
    name: str
    kind: str
    sha256: str | None


class WindowBooking(BaseModel):
    """A booking as the window screen shows it: who, which case, which documents, where it stands."""

    id: int
    code: str | None
    status: BookingStatus
    status_label: str
    slot_id: int
    window: str
    starts_at: datetime
    ends_at: datetime
    delivery_id: int
    attempt_id: int | None
    party_name: str
    party_id_masked: str
    case_number: str
    documents: list[WindowDocument]


class WindowFact(BaseModel):
    key: str
    label: str
    value: str | None
    evidence_id: int | None


class WindowAttempt(BaseModel):
    """An attempt at the window: its party and documents, the facts recorded and still missing, its proof."""

    attempt_id: int
    delivery_id: int
    status: str
    outcome: str | None
    party_name: str
    party_id_masked: str
    case_number: str
    documents: list[WindowDocument]
    facts: list[WindowFact]
    missing_to_serve: list[str]
    missing_for_refusal: list[str]
    proof_evidence_id: int | None
    booking_id: int | None
    outcome_label: str | None = None
    next_step: str | None = Field(default=None, description="未到或取消后，已安排的下一种送达方式")


class WalkInCandidate(BaseModel):
    delivery_id: int
    party_name: str
    party_id_masked: str
    case_number: str
    documents: list[WindowDocument]
    deadline: date | None


class AppointmentRead(BaseModel):
    """The party's view of their appointment, through the link in the SMS."""

    token: str
    code: str | None
    status: BookingStatus
    status_label: str
    party_name: str
    case_number: str
    court: str
    window: str
    location: str | None
    starts_at: datetime
    ends_at: datetime
    documents: list[str]
    can_change: bool
    free_slots: list[SlotRead]
