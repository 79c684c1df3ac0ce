"""The hub's database work, each piece in its own session; the hub runs them in worker threads."""

from datetime import datetime

from sqlalchemy import select

from backend.auth.models import AuthToken, User
from backend.database import get_session, utcnow
from backend.desk import presence
from backend.desk import service as desk_service
from backend.desk.live_calls import CallOwner, owner_of
from telephony.events import CallEvent


def load_owner(call_id: str) -> CallOwner | None:
    with get_session() as db_session:
        return owner_of(db_session=db_session, call_id=call_id)


def apply_call_event(event: CallEvent) -> None:
    with get_session() as db_session:
        desk_service.on_call_event(db_session=db_session, event=event)


def live_tokens(hashes: set[str]) -> set[str]:
    with get_session() as db_session:
        query = (
            select(AuthToken.token_sha256)
            .join(User, User.id == AuthToken.user_id)
            .where(
                AuthToken.token_sha256.in_(hashes),
                AuthToken.revoked_at.is_(None),
                AuthToken.expires_at > utcnow(),
                User.is_active,
            )
        )
        return set(db_session.scalars(query))


def mark_desks_seen(user_ids: set[int]) -> None:
    with get_session() as db_session:
        presence.mark_desks_seen(db_session=db_session, user_ids=user_ids, now=utcnow())


def desk_closed(user_id: int, closed_at: datetime) -> bool:
    with get_session() as db_session:
        return presence.desk_closed(db_session=db_session, user_id=user_id, closed_at=closed_at, now=utcnow())
