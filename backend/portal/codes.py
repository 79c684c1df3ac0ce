"""One-time login codes: six digits, kept only as an HMAC, valid a few minutes, used once. Requests are
limited per number or address and per client address; wrong answers are counted on the code, and at the
limit the code dies and the number or address is locked for a while. The answers never tell whether a
number is on file: a code is made (and counted) the same way whether or not it is sent."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.parties.enums import ContactKind
from backend.portal.models import PortalCode

HOUR = timedelta(hours=1)


class TooManyRequests(Exception):
    """Refused for now (HTTP 429), with the Chinese reason and how long to wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(int(retry_after), 1)


@dataclass(frozen=True, slots=True)
class CodeCheck:
    accepted: bool
    message: str = ""
    locked: bool = False


def code_hash(address: str, code: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"portal-code:{address}:{code}".encode(), hashlib.sha256).hexdigest()


def _minutes(seconds: float) -> int:
    return max(1, int(seconds // 60 + (seconds % 60 > 0)))


def _check_lock(db_session: Session, address: str, now: datetime) -> None:
    until = db_session.scalar(select(func.max(PortalCode.locked_until)).where(PortalCode.address == address))
    if until is not None and until > now:
        wait = (until - now).total_seconds()
        raise TooManyRequests(f"验证码错误次数过多，已暂时锁定，请{_minutes(wait)}分钟后再试", int(wait))


def _check_rate(db_session: Session, address: str, client_ip: str, now: datetime) -> None:
    settings = get_settings()
    count, last = db_session.execute(
        select(func.count(), func.max(PortalCode.created_at)).where(
            PortalCode.address == address, PortalCode.created_at > now - HOUR
        )
    ).one()
    resend = timedelta(seconds=settings.portal_code_resend_seconds)
    if last is not None and last > now - resend:
        wait = (last + resend - now).total_seconds()
        raise TooManyRequests(f"验证码已发送，请{int(wait) + 1}秒后再重新获取", int(wait) + 1)
    if count >= settings.portal_codes_per_address_hour:
        raise TooManyRequests("该号码或邮箱获取验证码次数过多，请一小时后再试", 3600)
    from_ip = db_session.scalar(
        select(func.count()).where(PortalCode.client_ip == client_ip, PortalCode.created_at > now - HOUR)
    )
    if from_ip is not None and from_ip >= settings.portal_codes_per_ip_hour:
        raise TooManyRequests("您所在网络获取验证码过于频繁，请稍后再试", 3600)


def issue_code(*, db_session: Session, kind: ContactKind, address: str, client_ip: str, now: datetime) -> str:
    """A new code for ADDRESS (earlier ones stop working); TooManyRequests when locked or too frequent."""
    _check_lock(db_session, address, now)
    _check_rate(db_session, address, client_ip, now)
    db_session.execute(
        update(PortalCode)
        .where(PortalCode.address == address, PortalCode.used_at.is_(None), PortalCode.expires_at > now)
        .values(expires_at=now)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    db_session.add(
        PortalCode(
            kind=kind,
            address=address,
            code_hash=code_hash(address, code),
            client_ip=client_ip,
            created_at=now,
            expires_at=now + timedelta(minutes=get_settings().portal_code_minutes),
        )
    )
    db_session.flush()
    return code


def check_code(*, db_session: Session, address: str, code: str, now: datetime) -> CodeCheck:
    """Whether CODE is ADDRESS's live code (then it is used up); a wrong one is counted, and locks at the
    limit. The caller commits either way, so the count survives the refusal."""
    _check_lock(db_session, address, now)
    latest = db_session.scalars(
        select(PortalCode)
        .where(PortalCode.address == address, PortalCode.used_at.is_(None))
        .order_by(PortalCode.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if latest is None:
        return CodeCheck(False, "验证码错误或已失效，请重新获取")
    if latest.expires_at <= now:
        return CodeCheck(False, "验证码已过期，请重新获取")
    if hmac.compare_digest(latest.code_hash, code_hash(address, code.strip())):
        latest.used_at = now
        return CodeCheck(True)
    settings = get_settings()
    latest.wrong_tries += 1
    left = settings.portal_code_tries - latest.wrong_tries
    if left > 0:
        return CodeCheck(False, f"验证码错误，还可尝试{left}次")
    latest.expires_at = now
    latest.locked_until = now + timedelta(minutes=settings.portal_code_lock_minutes)
    minutes = settings.portal_code_lock_minutes
    return CodeCheck(False, f"验证码错误次数过多，已锁定{minutes}分钟，请稍后重新获取", locked=True)
