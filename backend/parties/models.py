from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.database import Base, enum_column, utcnow
from backend.parties.enums import ContactEventKind, ContactKind, ContactState, LitigationRole, PartyType

if TYPE_CHECKING:
    from backend.cases.models import Case


class Party(Base):
    """A person or organisation in a case; `identity_key` makes re-imports idempotent."""

    __tablename__ = "party"
    __table_args__ = (UniqueConstraint("case_id", "identity_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    identity_key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(120), index=True)
    party_type: Mapped[PartyType] = mapped_column(enum_column(PartyType))
    litigation_role: Mapped[LitigationRole] = mapped_column(enum_column(LitigationRole))
    id_number: Mapped[str | None] = mapped_column(String(32), index=True)
    # 待核实: field name -> why, for values imported with a warning (an ID number with a wrong check digit)
    unverified_fields: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case: Mapped["Case"] = relationship(back_populates="parties")
    contact_points: Mapped[list["ContactPoint"]] = relationship(
        back_populates="party", order_by="ContactPoint.id", cascade="all, delete-orphan"
    )


class ContactPoint(Base):
    """One phone number, address or e-mail of a party, with where it came from and whether it works."""

    __tablename__ = "contact_point"
    __table_args__ = (
        UniqueConstraint("party_id", "kind", "value"),
        # The desk's "has a usable phone" probe, answered from the index alone (issue 19).
        Index(
            "ix_contact_point_usable_phone",
            "party_id",
            postgresql_where=text("kind = 'phone' AND state <> 'invalid'"),
            sqlite_where=text("kind = 'phone' AND state <> 'invalid'"),
        ),
        # The cases page's search by phone number (digits only, as contacts.normalise keeps them).
        Index(
            "ix_contact_point_phone_value",
            "value",
            postgresql_where=text("kind = 'phone'"),
            sqlite_where=text("kind = 'phone'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind))
    value: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(50))
    state: Mapped[ContactState] = mapped_column(enum_column(ContactState), default=ContactState.unverified)
    listed_by_source: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    party: Mapped[Party] = relationship(back_populates="contact_points")
    history: Mapped[list["ContactPointEvent"]] = relationship(
        back_populates="contact_point", order_by="ContactPointEvent.id", cascade="all, delete-orphan"
    )


class ContactPointEvent(Base):
    """An entry in a contact point's history: added, verified, invalidated, retired..."""

    __tablename__ = "contact_point_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_point_id: Mapped[int] = mapped_column(
        ForeignKey("contact_point.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ContactEventKind] = mapped_column(enum_column(ContactEventKind))
    source: Mapped[str] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(String(300))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    contact_point: Mapped[ContactPoint] = relationship(back_populates="history")


def usable_contact_points(party: Party, kind: ContactKind) -> list[ContactPoint]:
    """The party's contact points of KIND that are not known to be invalid, verified first."""
    points = [cp for cp in party.contact_points if cp.kind is kind and cp.state is not ContactState.invalid]
    return sorted(points, key=lambda cp: (cp.state is not ContactState.verified, cp.id))
