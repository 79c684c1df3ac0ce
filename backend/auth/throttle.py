"""Slowing password guessing without handing attackers a way to lock anyone out.

Failures are counted per address in a sliding window. Past `login_free_failures`, an address must wait
before its next try, twice as long after each further failure (up to `login_max_delay_seconds`): the
attacker is slowed at their address, and the account's owner can still log in from another. Only
failures on one account from at least `login_lock_addresses` different addresses (and at least
`lockout_threshold` of them) lock the account, until an admin or `songda user unlock` lifts it.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backend.auth.models import LoginFailure
from backend.config import get_settings

UNKNOWN_ADDRESS = "unknown"


def _window_start(now: datetime) -> datetime:
    return now - timedelta(minutes=get_settings().login_window_minutes)


def retry_after_seconds(*, db_session: Session, client_ip: str | None, now: datetime) -> int:
    """How long CLIENT_IP must still wait before its next try (0: it may try now)."""
    settings = get_settings()
    query = select(func.count(), func.max(LoginFailure.at)).where(
        LoginFailure.client_ip == (client_ip or UNKNOWN_ADDRESS), LoginFailure.at > _window_start(now)
    )
    failures, last = db_session.execute(query).one()
    if failures < settings.login_free_failures or last is None:
        return 0
    delay = min(2 ** (failures - settings.login_free_failures), settings.login_max_delay_seconds)
    waited = (now - last).total_seconds()
    return max(0, int(delay - waited + 0.999))


def record_failure(*, db_session: Session, client_ip: str | None, username: str, now: datetime) -> None:
    """Count one failure (and forget the ones that left the window)."""
    db_session.execute(delete(LoginFailure).where(LoginFailure.at <= _window_start(now)))
    db_session.add(LoginFailure(at=now, client_ip=client_ip or UNKNOWN_ADDRESS, username=username[:64]))
    db_session.flush()


def attacked_from_many_addresses(*, db_session: Session, username: str, now: datetime) -> bool:
    """True when USERNAME failed often enough, from enough different addresses, to lock the account."""
    settings = get_settings()
    query = select(func.count(), func.count(func.distinct(LoginFailure.client_ip))).where(
        LoginFailure.username == username, LoginFailure.at > _window_start(now)
    )
    failures, addresses = db_session.execute(query).one()
    return bool(failures >= settings.lockout_threshold and addresses >= settings.login_lock_addresses)
