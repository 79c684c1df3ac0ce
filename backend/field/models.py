"""Field delivery records: who visits which attempt on which day and in what order, the planned route,
the check-in at the door, and the officer's GPS track (mileage is measured on it)."""

from datetime import date, datetime, time

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.database import Base, utcnow
from backend.deliveries.models import DeliveryAttempt


class FieldAssignment(Base):
    """A planned field attempt given to an officer for a day (外出送达任务), with its stop on the route."""

    __tablename__ = "field_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE"), unique=True
    )
    officer_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    assigned_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str] = mapped_column(String(300))
    # WGS-84 position of the address (from the geocoder); None when it could not be placed.
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    route_order: Mapped[int | None]  # 1, 2, ... once the officer's day is planned
    leg_m: Mapped[int | None]  # planned road distance from the previous stop (or the start point)
    planned_arrival_at: Mapped[datetime | None]  # when the planned route reaches the door
    # The visit: arrival check-in with the phone's position and its accuracy.
    checked_in_at: Mapped[datetime | None]
    visit_lon: Mapped[float | None]
    visit_lat: Mapped[float | None]
    visit_accuracy_m: Mapped[float | None]
    visit_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    finished_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(32))  # the visit's outcome (served, nobody_home...)

    attempt: Mapped[DeliveryAttempt] = relationship()


class FieldRoute(Base):
    """An officer's planned route for a day: the start point and the planned length."""

    __tablename__ = "field_route"
    __table_args__ = (UniqueConstraint("officer_user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    day: Mapped[date]
    start_lon: Mapped[float]
    start_lat: Mapped[float]
    planned_m: Mapped[int]
    stops: Mapped[int]
    planned_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackPoint(Base):
    """One position the officer's phone sent while the route was open (WGS-84)."""

    __tablename__ = "field_track_point"
    __table_args__ = (UniqueConstraint("officer_user_id", "at"),)  # also the index the day's reads use

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime]
    lon: Mapped[float]
    lat: Mapped[float]
    accuracy_m: Mapped[float]


class FieldPlace(Base):
    """An address's position as the geocoder gave it (WGS-84), asked once per address."""

    __tablename__ = "field_place"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(300), unique=True)
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    source: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VisitWindow(Base):
    """When the party can be found at home for a field attempt (e.g. only in the afternoon), court time."""

    __tablename__ = "field_visit_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE"), unique=True
    )
    available_from: Mapped[time]
    available_until: Mapped[time]
    note: Mapped[str | None] = mapped_column(String(200))
    set_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfficerShift(Base):
    """Where an officer sets off from and their working hours (court time); the court and the default
    hours when an officer has none."""

    __tablename__ = "field_officer_shift"

    officer_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    start_lon: Mapped[float]
    start_lat: Mapped[float]
    start_label: Mapped[str] = mapped_column(String(100))
    works_from: Mapped[time]
    works_until: Mapped[time]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FieldUpload(Base):
    """A file the officer's phone is sending in chunks: resumed from the last byte received, stored as
    evidence once every byte is in and matches the SHA-256 the phone computed when it was captured."""

    __tablename__ = "field_upload"
    __table_args__ = (UniqueConstraint("assignment_id", "purpose", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("field_assignment.id", ondelete="CASCADE"))
    officer_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    received_bytes: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(16), default="receiving")  # receiving, stored, refused
    refusal: Mapped[str | None] = mapped_column(String(300))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    captured_at: Mapped[datetime | None]  # the phone's clock when the file was taken
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
