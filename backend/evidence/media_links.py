"""Signed, expiring links to one evidence file for one user, for the browser's <audio> element: it cannot
send a bearer header, and fetching the whole file into a blob would lose seeking by Range requests (206).

A link names the evidence, the user and the expiry, signed with the server's secret; the file is served to
it only while the user is active and still sees the case, and every read is audited like a bearer read.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.config import get_settings
from backend.database import utcnow

LINK_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class MediaGrant:
    evidence_id: int
    user_id: int
    expires_at: datetime


def _signature(evidence_id: int, user_id: int, expires: int) -> str:
    key = get_settings().secret_key.encode()
    message = f"evidence-media:{evidence_id}:{user_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def media_token(*, evidence_id: int, user_id: int, now: datetime | None = None) -> tuple[str, datetime]:
    """A token for EVIDENCE_ID read by USER_ID, and when it expires."""
    expires_at = (now or utcnow()) + LINK_LIFETIME
    expires = int(expires_at.timestamp())
    return f"{evidence_id}.{user_id}.{expires}.{_signature(evidence_id, user_id, expires)}", expires_at


def read_token(token: str, *, now: datetime | None = None) -> MediaGrant | None:
    """The grant of a well-signed, unexpired TOKEN, else None."""
    parts = token.split(".")
    if len(parts) != 4 or not all(part.isdigit() for part in parts[:3]):
        return None
    evidence_id, user_id, expires = (int(part) for part in parts[:3])
    if not hmac.compare_digest(parts[3], _signature(evidence_id, user_id, expires)):
        return None
    current = now or utcnow()
    expires_at = datetime.fromtimestamp(expires, tz=current.tzinfo)
    if expires_at <= current:
        return None
    return MediaGrant(evidence_id=evidence_id, user_id=user_id, expires_at=expires_at)
