from datetime import date, datetime

from pydantic import BaseModel, Field

from backend.deliveries.enums import DeliveryStatus


class HearingUpdate(BaseModel):
    """Set or move a case's hearing."""

    hearing_at: datetime = Field(description="开庭时间（带时区；不带时区的按北京时间）")
    courtroom: str = Field(min_length=1, max_length=50, description="法庭")
    hearing_minutes: int | None = Field(default=None, ge=10, le=600, description="预计时长（分钟），默认60")


class DeadlineChangeRead(BaseModel):
    delivery_id: int
    party_name: str
    old: date | None
    new: date


class HearingRead(BaseModel):
    """A case's hearing as the schedule shows it."""

    case_id: int
    case_number: str
    cause: str
    judge_name: str | None
    clerk_name: str | None
    hearing_at: datetime
    hearing_ends_at: datetime
    courtroom: str | None
    summons_last_day: date = Field(description="传票最迟送达日（开庭日前3日）")
    summons_open: int = Field(description="未完成的传票送达任务数")
    summons_served: int = Field(description="已送达的传票送达任务数")
    clashes_with: list[int] = Field(default_factory=list, description="同一法庭时间重叠的案件")


class HearingChangeRead(BaseModel):
    hearing: HearingRead
    previous_at: datetime | None
    previous_courtroom: str | None
    deadlines_moved: list[DeadlineChangeRead]


class WeekRead(BaseModel):
    week_start: date
    days: list[date]
    courtrooms: list[str]
    hearings: list[HearingRead]


class AtRiskRead(BaseModel):
    delivery_id: int
    delivery_status: DeliveryStatus
    party_name: str
    case_id: int
    case_number: str
    hearing_at: datetime
    courtroom: str | None
    deadline: date | None
    last_day: date = Field(description="传票最迟送达日（开庭日前3日）")
    days_left: int = Field(description="距最迟送达日的天数；负数表示已无法按期送达")
    too_late: bool
    risk_label: str
