"""The SMS outbox: text messages waiting for the SMS gateway (another component sends them)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.database import Base, enum_column, utcnow
from backend.messaging.enums import SmsStatus


class SmsOutbox(Base):
    """A text message waiting for the SMS gateway (12368); the desk only queues it."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_number: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"))
    status: Mapped[SmsStatus] = mapped_column(enum_column(SmsStatus), default=SmsStatus.queued, index=True)
    error: Mapped[str | None] = mapped_column(String(300))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
