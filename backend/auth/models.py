from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.auth.roles import Role
from backend.database import Base, enum_column, utcnow


class User(Base):
    """A member of staff who logs in with one role."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(enum_column(Role), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    court_id: Mapped[int | None] = mapped_column(ForeignKey("court.id"))
    agent_group: Mapped[str | None] = mapped_column(String(50))
    sip_extension: Mapped[str | None] = mapped_column(String(20), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuthToken(Base):
    """A revocable bearer token; only its sha256 is stored."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    client: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """One failed login: the address and the name tried. The throttle counts them in a sliding window."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_client_ip_at", "client_ip", "at"),
        Index("ix_login_failure_username_at", "username", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    client_ip: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(64))
