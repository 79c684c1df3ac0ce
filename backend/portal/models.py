"""The portal's records: one-time codes (hashed), party sessions, WeChat bindings, document views and paper
requests. A portal session is its own narrow kind of credential: it names contact details the party proved
and the parties on file with them, nothing of the staff's tokens."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.database import Base, enum_column, utcnow
from backend.parties.enums import ContactKind


class PortalCode(Base):
    """A one-time login code sent to ADDRESS (a mobile number or an e-mail address), kept as its HMAC only.

    WRONG_TRIES counts wrong answers; at the limit the code dies and LOCKED_UNTIL bars ADDRESS for a while."""

    __tablename__ = "portal_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind))
    address: Mapped[str] = mapped_column(String(200), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime]
    wrong_tries: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class PortalSession(Base):
    """A party's login: the contact detail proved (or a bound WeChat), the parties on file with it."""

    __tablename__ = "portal_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind))
    address: Mapped[str] = mapped_column(String(200))
    party_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    wechat_openid: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class WechatBinding(Base):
    """A WeChat openid bound to a mobile number, after its owner proved the number with an SMS code."""

    __tablename__ = "portal_wechat_binding"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64))
    mobile: Mapped[str] = mapped_column(String(32))
    nickname: Mapped[str | None] = mapped_column(String(100))
    bound_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentView(Base):
    """One opening of a document in the portal: when, from where, on what device, which pages were shown."""

    __tablename__ = "portal_document_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("portal_session.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    client_ip: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(300))
    pages: Mapped[list[int]] = mapped_column(JSON, default=list)
    page_count: Mapped[int | None]


class PaperRequest(Base):
    """The party asked for paper copies of a delivery's documents: by post to POSTAL_ADDRESS, or at court."""

    __tablename__ = "portal_paper_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), index=True)
    way: Mapped[str] = mapped_column(String(20))  # postal | pickup
    postal_address: Mapped[str | None] = mapped_column(String(300))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    planned_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_attempt.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A request no attempt took up (the delivery was already served) waits for staff to send the copies.
    handled_at: Mapped[datetime | None]
    handled_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handled_note: Mapped[str | None] = mapped_column(String(300))
