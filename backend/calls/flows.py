"""Placing a call: the record first (its idempotency key taken and committed), then the Originate.

The call API places calls through here. The agent desk (backend/desk/views.py) takes the key the same
way, through call_service.request_call in desk.service.start_call, and then sends its own PlaceCall,
which rings the agent's browser phone when it is registered. Either way a retried request can never place
a second real call: the key is taken in the database first, and call control places at most one call per
key, in whichever process the request arrived.
"""

import asyncio
from collections.abc import Callable

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.calls import service as call_service
from backend.calls.models import CallRecord
from backend.config import get_settings
from telephony.commands import CallCommands, PlaceCall


async def place_call(
    *,
    db_session: Session,
    calls: CallCommands,
    agent: User,
    attempt_id: int,
    number: str,
    idempotency_key: str,
    test_clip: str | None = None,
    ring_timeout_seconds: int | None = None,
    before_originate: Callable[[CallRecord], object] | None = None,
) -> tuple[CallRecord, bool]:
    """The call for IDEMPOTENCY_KEY and whether it was placed now; raises CallRequestError, AmiError.

    The caller's session is committed before the Originate (after BEFORE_ORIGINATE, e.g. an audit row),
    so a concurrent retry finds the key taken. The database work runs off the event loop, which also
    carries the AMI connection and the desk's websockets.
    """
    record, created, delivery_id = await asyncio.to_thread(
        _claim_key,
        db_session=db_session,
        agent=agent,
        attempt_id=attempt_id,
        number=number,
        idempotency_key=idempotency_key,
        before_originate=before_originate,
    )
    if not created:
        return record, False
    settings = get_settings()
    await calls.place(
        PlaceCall(
            idempotency_key=idempotency_key,
            call_id=record.call_id,
            agent_extension=record.agent_endpoint,
            number=record.number_dialled,
            test_clip=test_clip if settings.party_route == "test" else None,
            ring_timeout_seconds=ring_timeout_seconds,
            agent_answer_timeout_seconds=settings.agent_answer_seconds,
            agent_user_id=record.agent_user_id,
            delivery_id=delivery_id,
            attempt_id=record.delivery_attempt_id,
        )
    )
    return record, True


def _claim_key(
    *,
    db_session: Session,
    agent: User,
    attempt_id: int,
    number: str,
    idempotency_key: str,
    before_originate: Callable[[CallRecord], object] | None,
) -> tuple[CallRecord, bool, int | None]:
    """Take the idempotency key in a committed call record (or find the call that already holds it);
    (the record, whether it was created now, and then its delivery)."""
    record, created = call_service.request_call(
        db_session=db_session,
        attempt_id=attempt_id,
        agent=agent,
        number=number,
        idempotency_key=idempotency_key,
    )
    if created:
        if before_originate is not None:
            before_originate(record)
        db_session.commit()
        return record, True, record.delivery_attempt.delivery_id
    return record, False, None
