"""An electronic attempt's notice: the party's personal link and where it was sent."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.database import Base, utcnow


class ElectronicNotice(Base):
    """One per electronic attempt: LINK_TOKEN is the unguessable part of the party's short link;
    ADDRESS_CONFIRMED whether the party confirmed ADDRESS (with consent) in a 送达地址确认书."""

    __tablename__ = "electronic_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE"), unique=True
    )
    link_token: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(200))
    address_confirmed: Mapped[bool] = mapped_column(default=False)
    confirmation_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
