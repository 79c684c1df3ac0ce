"""Users, logins with lockout, and revocable bearer tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth import throttle
from backend.auth.models import AuthToken, User
from backend.auth.passwords import hash_password, needs_rehash, verify_password
from backend.auth.roles import Role
from backend.config import get_settings
from backend.database import utcnow

_DUMMY_HASH = hash_password("songda-timing-equaliser")
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


class UserExists(ValueError):
    pass


class UnknownUser(LookupError):
    pass


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    token: str | None
    expires_at: datetime | None
    error: str | None
    retry_after: int = 0  # seconds the address must wait (HTTP 429)


LOGIN_REFUSED = (
    "用户名或密码错误"  # the one answer for a wrong password and an unknown, locked or disabled account
)
PERMANENT_LOCK = timedelta(days=36_500)


def token_digest(raw_token: str) -> str:
    """What is stored of a token: its sha256 (the websocket hub re-checks revocation by it)."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def create_user(
    *,
    db_session: Session,
    username: str,
    full_name: str,
    role: Role,
    password: str,
    court_id: int | None = None,
    agent_group: str | None = None,
    sip_extension: str | None = None,
) -> User:
    """Create a user with an Argon2id password hash."""
    if db_session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserExists(f"用户名 {username} 已存在")
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=hash_password(password),
        court_id=court_id,
        agent_group=agent_group,
        sip_extension=sip_extension,
    )
    db_session.add(user)
    db_session.flush()
    return user


def get_user(*, db_session: Session, username: str) -> User:
    user = db_session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UnknownUser(f"用户 {username} 不存在")
    return user


def login(*, db_session: Session, username: str, password: str, client_ip: str | None = None) -> LoginResult:
    """Check the password; slow the address, lock the account only when attacked from many addresses.
    Unknown, disabled and locked accounts get the same answer, after the same password hashing work."""
    now = utcnow()
    wait = throttle.retry_after_seconds(db_session=db_session, client_ip=client_ip, now=now)
    if wait > 0:
        return _throttled(db_session, username, client_ip, wait)
    user = db_session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or _locked(user, now):
        verify_password(user.password_hash if user else _DUMMY_HASH, password)
        reason = "unknown" if user is None else "disabled" if not user.is_active else "locked"
        return _login_failed(db_session, user, username, client_ip, reason, now)
    if not verify_password(user.password_hash, password):
        return _login_failed(db_session, user, username, client_ip, "wrong_password", now)
    return _login_succeeded(db_session, user, password, client_ip)


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _lock_if_attacked(db_session: Session, user: User, client_ip: str | None, now: datetime) -> None:
    if not throttle.attacked_from_many_addresses(db_session=db_session, username=user.username, now=now):
        return
    minutes = get_settings().lockout_minutes
    user.locked_until = now + (timedelta(minutes=minutes) if minutes else PERMANENT_LOCK)
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="account_locked",
        object_type="user",
        object_id=user.id,
        client_ip=client_ip,
        detail={"until": user.locked_until.isoformat(), "reason": "failures_from_many_addresses"},
    )


def _throttled(db_session: Session, username: str, client_ip: str | None, wait: int) -> LoginResult:
    audit_service.record(
        db_session=db_session,
        actor=None,
        actor_username=username,
        action="login_throttled",
        object_type="user",
        client_ip=client_ip,
        detail={"retry_after": wait},
    )
    message = f"登录失败次数过多，请 {wait} 秒后再试"
    return LoginResult(user=None, token=None, expires_at=None, error=message, retry_after=wait)


def _login_failed(
    db_session: Session, user: User | None, username: str, client_ip: str | None, reason: str, now: datetime
) -> LoginResult:
    """Count the failure, lock the account if attacked from many addresses, audit; one answer for all."""
    throttle.record_failure(db_session=db_session, client_ip=client_ip, username=username, now=now)
    if user is not None and reason == "wrong_password":
        user.failed_logins += 1
        _lock_if_attacked(db_session, user, client_ip, now)
    audit_service.record(
        db_session=db_session,
        actor=user,
        actor_username=username,
        action="login_failed",
        object_type="user",
        object_id=user.id if user else None,
        client_ip=client_ip,
        detail={"reason": reason},
    )
    return LoginResult(user=None, token=None, expires_at=None, error=LOGIN_REFUSED)


def _login_succeeded(db_session: Session, user: User, password: str, client_ip: str | None) -> LoginResult:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token, record = issue_token(db_session=db_session, user=user, client=client_ip)
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="login",
        object_type="user",
        object_id=user.id,
        client_ip=client_ip,
    )
    return LoginResult(user=user, token=token, expires_at=record.expires_at, error=None)


def issue_token(*, db_session: Session, user: User, client: str | None = None) -> tuple[str, AuthToken]:
    """A new random bearer token; only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    record = AuthToken(
        user_id=user.id,
        token_sha256=token_digest(raw),
        expires_at=utcnow() + timedelta(hours=get_settings().token_ttl_hours),
        client=client,
    )
    db_session.add(record)
    db_session.flush()
    return raw, record


def user_for_token(*, db_session: Session, raw_token: str) -> User | None:
    """The active user a live token belongs to, or None."""
    record = db_session.scalar(select(AuthToken).where(AuthToken.token_sha256 == token_digest(raw_token)))
    now = utcnow()
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    if not record.user.is_active:
        return None
    if record.last_used_at is None or now - record.last_used_at > TOKEN_TOUCH_INTERVAL:
        record.last_used_at = now
    return record.user


def revoke_token(*, db_session: Session, raw_token: str) -> bool:
    result = db_session.execute(
        update(AuthToken)
        .where(AuthToken.token_sha256 == token_digest(raw_token), AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_all_tokens(*, db_session: Session, user: User) -> int:
    result = db_session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def set_password(*, db_session: Session, user: User, password: str) -> None:
    """Change the password and end every session of the user."""
    user.password_hash = hash_password(password)
    revoke_all_tokens(db_session=db_session, user=user)


def set_active(*, db_session: Session, user: User, active: bool) -> None:
    user.is_active = active
    if not active:
        revoke_all_tokens(db_session=db_session, user=user)


def unlock(*, user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
