from datetime import date, datetime, time

from pydantic import BaseModel, Field

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
