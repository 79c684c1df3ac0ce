from datetime import date, datetime, time
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, Field

from backend.auth.models import User
from backend.core.api_types import CourtTime
from backend.deliveries.models import DeliveryAttempt
from backend.field.coords import Point, navigation_links
from backend.field.enums import VisitResult
from backend.field.media import MAX_CHUNK_BYTES, MediaPurpose
from backend.field.models import FieldAssignment, FieldRoute, FieldUpload, VisitWindow
from backend.field.stats import DayFigures
from backend.signatures.schemas import SignatureCapture


class StopRead(BaseModel):
    """A field attempt as the supervisor's list and the officer's route show it."""

    attempt_id: int
    assignment_id: int | None
    delivery_id: int
    case_number: str
    party_name: str
    address: str
    documents: list[str]
    deadline: date | None
    start_by: datetime | None
    attempt_status: str
    officer_id: int | None = None
    day: date | None = None
    route_order: int | None = None
    leg_km: float | None = None
    lon: float | None = None
    lat: float | None = None
    navigation: dict[str, str] | None = None
    checked_in_at: datetime | None = None
    result: str | None = None
    available_from: CourtTime | None = Field(default=None, description="当事人可送达时段开始")
    available_until: CourtTime | None = None
    planned_arrival_at: datetime | None = Field(default=None, description="按规划路线预计到达时间")
    facts: list[str] = Field(default_factory=list, description="已登记的送达要件")

    @classmethod
    def of(
        cls,
        attempt: DeliveryAttempt,
        assignment: FieldAssignment | None,
        address: str = "",
        window: VisitWindow | None = None,
    ) -> Self:
        delivery = attempt.delivery
        read = cls(
            attempt_id=attempt.id,
            assignment_id=assignment.id if assignment else None,
            delivery_id=delivery.id,
            case_number=delivery.case.case_number,
            party_name=delivery.party.name,
            address=assignment.address if assignment else address,
            documents=[document.name for document in delivery.documents],
            deadline=delivery.deadline,
            start_by=attempt.start_by,
            attempt_status=attempt.status.value,
            facts=[fact.key for fact in attempt.facts],
            available_from=window.available_from if window else None,
            available_until=window.available_until if window else None,
        )
        if assignment is None:
            return read
        placed = assignment.lon is not None and assignment.lat is not None
        return read.model_copy(
            update={
                "officer_id": assignment.officer_user_id,
                "day": assignment.day,
                "route_order": assignment.route_order,
                "leg_km": round(assignment.leg_m / 1000, 2) if assignment.leg_m is not None else None,
                "lon": assignment.lon,
                "lat": assignment.lat,
                "navigation": navigation_links(Point(assignment.lon, assignment.lat), delivery.party.name)  # type: ignore[arg-type]
                if placed
                else None,
                "checked_in_at": assignment.checked_in_at,
                "result": assignment.result,
                "planned_arrival_at": assignment.planned_arrival_at,
            }
        )


class OfficerRead(BaseModel):
    id: int
    username: str
    full_name: str

    @classmethod
    def of(cls, user: User) -> Self:
        return cls(id=user.id, username=user.username, full_name=user.full_name)


class AssignRequest(BaseModel):
    attempt_ids: list[int] = Field(min_length=1, max_length=200)
    officer_id: int
    day: date


class StartPoint(BaseModel):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class PlanDayRequest(BaseModel):
    day: date
    officer_ids: list[int] = Field(min_length=1, max_length=50)
    start: StartPoint | None = None


class PlanRouteRequest(BaseModel):
    day: date
    officer_id: int | None = Field(default=None, description="主管为某位送达人员规划；送达人员省略")
    start: StartPoint | None = Field(default=None, description="出发点（WGS-84），省略则为法院")


class RouteRead(BaseModel):
    officer_id: int
    day: date
    start: StartPoint
    planned_km: float
    stops: int

    @classmethod
    def of(cls, route: FieldRoute) -> Self:
        return cls(
            officer_id=route.officer_user_id,
            day=route.day,
            start=StartPoint(lon=route.start_lon, lat=route.start_lat),
            planned_km=round(route.planned_m / 1000, 2),
            stops=route.stops,
        )


class DayRouteRead(BaseModel):
    route: RouteRead | None
    stops: list[StopRead]


class CheckInRequest(BaseModel):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    accuracy_m: float = Field(ge=0, le=100_000)
    phone_time: AwareDatetime | None = None


class OutcomeRequest(BaseModel):
    result: VisitResult
    received_by: str | None = Field(default=None, max_length=100, description="签收人及与受送达人的关系")
    refusal_note: str | None = Field(default=None, max_length=500)
    witness_name: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=500)


class OutcomeRead(BaseModel):
    stop: StopRead
    next_method: str | None = None
    next_start_by: datetime | None = None


class MediaRead(BaseModel):
    evidence_id: int
    sha256: str
    size_bytes: int
    kind: str


class TrackFix(BaseModel):
    at: AwareDatetime
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    accuracy_m: float = Field(ge=0, le=100_000)


class TrackRequest(BaseModel):
    fixes: list[TrackFix] = Field(min_length=1, max_length=2000)


class DayFiguresRead(BaseModel):
    day: date
    stops: int
    visited: int
    served: int
    failed: int
    planned_km: float
    track_km: float
    hours: float

    @classmethod
    def of(cls, figures: DayFigures) -> Self:
        return cls(**{name: getattr(figures, name) for name in cls.model_fields})


class MileageRead(BaseModel):
    officer: OfficerRead
    month: str
    days: list[DayFiguresRead]
    stops: int
    served: int
    served_rate: float | None
    planned_km: float
    track_km: float
    hours: float


class FieldSettingsRead(BaseModel):
    tile_url: str
    start: StartPoint


class VisitWindowSet(BaseModel):
    """When the party can be found at home (both empty: any time)."""

    available_from: time | None = Field(default=None, description="法院当地时间，如 14:00")
    available_until: time | None = None
    note: str | None = Field(default=None, max_length=200, description="如：当事人电话告知下午在家")


class OfficerDayRead(BaseModel):
    officer_id: int
    start: StartPoint
    start_label: str
    works_from: CourtTime
    works_until: CourtTime
    own: bool = Field(description="是否为该送达人员单独设置（否则为法院和默认工作时间）")


class OfficerDaySet(BaseModel):
    start: StartPoint
    start_label: str = Field(default="出发点", max_length=100)
    works_from: time
    works_until: time


class UploadCreate(BaseModel):
    """A file the phone will send in chunks, declared with the SHA-256 it computed when it was taken."""

    purpose: MediaPurpose
    filename: str = Field(min_length=1, max_length=200)
    size_bytes: int = Field(gt=0)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$", description="手机拍摄时计算的 SHA-256")
    captured_at: AwareDatetime | None = Field(default=None, description="手机拍摄时间")


class UploadRead(BaseModel):
    upload_id: int
    purpose: str
    filename: str
    size_bytes: int
    received_bytes: int = Field(description="已收到的字节数：从此处续传")
    state: Literal["receiving", "stored", "refused"]
    refusal: str | None = None
    evidence_id: int | None = None
    sha256: str
    chunk_bytes: int = Field(default=MAX_CHUNK_BYTES // 16, description="建议的分块大小")

    @classmethod
    def of(cls, upload: FieldUpload) -> Self:
        return cls(
            upload_id=upload.id,
            purpose=upload.purpose,
            filename=upload.filename,
            size_bytes=upload.size_bytes,
            received_bytes=upload.received_bytes,
            state=upload.state,  # type: ignore[arg-type]
            refusal=upload.refusal,
            evidence_id=upload.evidence_id,
            sha256=upload.sha256,
        )


class SignRequest(SignatureCapture):
    """A signature drawn on the officer's phone: the recipient's (送达回证) or a refusal's witness."""

    purpose: Literal["signature", "witness_signature"]
    signer: str = Field(min_length=1, max_length=50, description="签名人姓名")
    signed_at: AwareDatetime = Field(description="手机上签名的时间")


class SignedRead(BaseModel):
    image_evidence_id: int
    image_sha256: str
    strokes_evidence_id: int
    points: int
