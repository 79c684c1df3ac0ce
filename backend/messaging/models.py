"""The outbox: every text message and e-mail to a party, with its life through the gateway."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.database import Base, enum_column, utcnow
from backend.messaging.enums import MessageChannel, SmsStatus


class SmsOutbox(Base):
    """A message to a party (SMS through Kannel/12368, or e-mail), queued until a gateway takes it.

    DLR_TOKEN is the unguessable part of the delivery-report URL that matches a report to this message;
    GATEWAY_ID is the carrier's message id or the e-mail's Message-ID; GATEWAY_REPLY the gateway's words."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[MessageChannel] = mapped_column(enum_column(MessageChannel), default=MessageChannel.sms)
    to_number: Mapped[str] = mapped_column(String(200))  # a mobile number, or the e-mail address
    subject: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"))
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery_attempt.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SmsStatus] = mapped_column(enum_column(SmsStatus), default=SmsStatus.queued, index=True)
    error: Mapped[str | None] = mapped_column(String(300))
    dlr_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    sender: Mapped[str | None] = mapped_column(String(200))
    gateway_id: Mapped[str | None] = mapped_column(String(300))
    gateway_reply: Mapped[str | None] = mapped_column(Text)
    reports: Mapped[list[dict[str, Any]]] = mapped_column(default=list)  # delivery reports, as received
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sending_since: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]  # submitted to the gateway
    accepted_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
