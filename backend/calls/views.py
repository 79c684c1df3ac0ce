"""Call control API: place a call (idempotent), hang up, live calls, one call's record."""

import asyncio
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, Response, status

from backend.audit import service as audit_service
from backend.auth.dependencies import CurrentUser, SecuredRouter, client_ip
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls import flows as call_flows
from backend.calls import service as call_service
from backend.calls.models import CallRecord
from backend.calls.runtime import current_call_commands, telephony_lifespan
from backend.calls.schemas import CallCreate, CallRead, LiveCallRead
from backend.database import SessionDep
from telephony.ami import AmiError
from telephony.commands import CallCommands
from telephony.control import CallNotLive

router = SecuredRouter(
    prefix="/api/calls",
    tags=["电话送达"],
    roles={Role.agent, Role.supervisor, Role.admin},
    lifespan=telephony_lifespan,
)
CallCommandsDep = Annotated[CallCommands, Depends(current_call_commands)]
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=100)]


@router.post("", response_model=CallRead, status_code=status.HTTP_201_CREATED)
async def originate_call(
    body: CallCreate,
    request: Request,
    response: Response,
    user: CurrentUser,
    db_session: SessionDep,
    calls: CallCommandsDep,
    idempotency_key: IdempotencyKey,
) -> CallRecord:
    """Ring the agent's phone, then the party; a repeated Idempotency-Key returns the first call."""
    try:
        record, created = await call_flows.place_call(
            db_session=db_session,
            calls=calls,
            agent=user,
            attempt_id=body.delivery_attempt_id,
            number=body.number,
            idempotency_key=idempotency_key,
            test_clip=body.test_clip,
            ring_timeout_seconds=body.ring_timeout_seconds,
            before_originate=lambda placed: _audit(db_session, user, request, "call_originate", placed),
        )
    except call_service.IdempotencyConflict as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except call_service.CallRequestError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    except AmiError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "电话系统暂不可用，呼叫未发出") from error
    if not created:
        response.status_code = status.HTTP_200_OK
    return record


@router.post("/{call_id}/hangup", status_code=status.HTTP_202_ACCEPTED)
async def hangup_call(
    call_id: str, request: Request, user: CurrentUser, db_session: SessionDep, calls: CallCommandsDep
) -> dict[str, str]:
    """Hang the call up; the database work runs off the event loop (it carries AMI and the websockets)."""
    record = await asyncio.to_thread(_visible_call, db_session, user, call_id)
    try:
        await calls.hang_up(call_id)
    except CallNotLive as error:
        raise HTTPException(status.HTTP_409_CONFLICT, "通话不在进行中") from error
    except AmiError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "电话系统暂不可用") from error
    await asyncio.to_thread(_audit, db_session, user, request, "call_hangup", record)
    return {"status": "hanging_up"}


@router.get("/live", response_model=list[LiveCallRead])
async def live_calls(user: CurrentUser, commands: CallCommandsDep) -> list[LiveCallRead]:
    """The calls in progress as call control has them, asked of the process that owns it."""
    try:
        calls = [LiveCallRead.model_validate(call) for call in await commands.live_calls()]
    except AmiError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "电话系统暂不可用") from error
    if user.role is Role.agent:
        calls = [call for call in calls if call.agent_endpoint == user.sip_extension]
    return calls


@router.get("/{call_id}", response_model=CallRead)
def get_call(call_id: str, user: CurrentUser, db_session: SessionDep) -> CallRecord:
    return _visible_call(db_session, user, call_id)


def _visible_call(db_session: SessionDep, user: User, call_id: str) -> CallRecord:
    record = call_service.get_call(db_session=db_session, call_id=call_id)
    if record is None or (user.role is Role.agent and record.agent_user_id != user.id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "通话记录不存在")
    return record


def _audit(db_session: SessionDep, user: User, request: Request, action: str, record: CallRecord) -> None:
    audit_service.record(
        db_session=db_session,
        actor=user,
        action=action,
        object_type="call",
        object_id=record.call_id,
        case_id=record.delivery_attempt.delivery.case_id,
        client_ip=client_ip(request),
        detail={"number": record.number_dialled, "delivery_attempt_id": record.delivery_attempt_id},
    )
