"""The agent desk API (/api/desk): presence, next task, task card, call, hang up, disposition.
Mutating handlers commit before answering, so the desk events they cause are already on their way."""

import asyncio
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy.orm import Session

from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.models import User
from backend.auth.roles import Role
from backend.calls import service as call_service
from backend.calls.runtime import current_call_commands
from backend.config import get_settings
from backend.core.http import service_errors
from backend.database import SessionDep
from backend.deliveries.schemas import AttemptRead
from backend.desk import dispositions, presence, service, snapshots
from backend.desk.schemas import (
    CallBody,
    CallStarted,
    DispositionBody,
    DispositionResult,
    PresenceChange,
    ReleaseBody,
)
from telephony.ami import AmiError
from telephony.commands import CallCommands, PlaceCall
from telephony.control import CallNotLive

DESK_ROLES = {Role.agent, Role.supervisor, Role.admin}
router = secured_router(prefix="/api/desk", tags=["坐席工作台"], roles=DESK_ROLES)
CallCommandsDep = Annotated[CallCommands, Depends(current_call_commands)]
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=100)]


def _task_read(db_session: Session, user: User, request: Request, view: service.TaskView, via: str) -> None:
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="desk_task_read",
        object_type="delivery",
        object_id=view.card["delivery"]["id"],
        case_id=view.case_id,
        detail={"via": via, "party_id": view.card["party"]["id"]},
    )


@router.get("/me")
def get_me(user: CurrentUser, db_session: SessionDep) -> dict[str, Any]:
    """The agent, their presence, softphone account and the task they hold."""
    return service.me(db_session=db_session, user=user, settings=get_settings())


@router.post("/presence")
def set_presence(body: PresenceChange, user: CurrentUser, db_session: SessionDep) -> dict[str, Any]:
    """available | break (with a reason) | offline (gives back the task held)."""
    with service_errors():
        row = presence.set_own(db_session=db_session, agent=user, state=body.state, reason=body.reason)
    db_session.commit()
    return snapshots.presence_data(row)


@router.post("/next")
def next_task(request: Request, user: CurrentUser, db_session: SessionDep) -> dict[str, Any]:
    """The next waiting delivery, locked to the caller; 409 when none waits."""
    with service_errors():
        view = service.next_task(db_session=db_session, agent=user)
    _task_read(db_session, user, request, view, "next")
    db_session.commit()
    return view.card


@router.get("/tasks/{delivery_id}")
def get_task(delivery_id: int, request: Request, user: CurrentUser, db_session: SessionDep) -> dict[str, Any]:
    with service_errors():
        view = service.get_task(db_session=db_session, user=user, delivery_id=delivery_id)
    _task_read(db_session, user, request, view, "card")
    db_session.commit()
    return view.card


@router.post("/tasks/{delivery_id}/release", status_code=status.HTTP_204_NO_CONTENT)
def release_task(delivery_id: int, body: ReleaseBody, user: CurrentUser, db_session: SessionDep) -> None:
    with service_errors():
        service.release_task(db_session=db_session, agent=user, delivery_id=delivery_id, reason=body.reason)
    db_session.commit()


def _start_call(
    db_session: Session, user: User, delivery_id: int, body: CallBody, key: str
) -> tuple[Any, bool]:
    with service_errors():
        try:
            record, created = service.start_call(
                db_session=db_session,
                agent=user,
                delivery_id=delivery_id,
                contact_point_id=body.contact_point_id,
                idempotency_key=key,
            )
        except call_service.IdempotencyConflict as error:
            raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
        except call_service.CallRequestError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    db_session.commit()  # the key is taken before any call is placed: a retry never places a second one
    return record, created


@router.post("/tasks/{delivery_id}/call", response_model=CallStarted)
async def call_party(
    delivery_id: int,
    body: CallBody,
    user: CurrentUser,
    db_session: SessionDep,
    calls: CallCommandsDep,
    idempotency_key: IdempotencyKey,
) -> CallStarted:
    """Ring the agent's phone, then the chosen number; a repeated Idempotency-Key returns the same call."""
    record, created = await asyncio.to_thread(
        _start_call, db_session, user, delivery_id, body, idempotency_key
    )
    if created:
        command = PlaceCall(
            idempotency_key=idempotency_key,
            call_id=record.call_id,
            agent_extension=record.agent_endpoint,
            prefer_browser_phone=True,
            number=record.number_dialled,
            agent_answer_timeout_seconds=get_settings().agent_answer_seconds,
            agent_user_id=record.agent_user_id,
            delivery_id=delivery_id,
            attempt_id=record.delivery_attempt_id,
        )
        try:
            await calls.place(command)
        except AmiError as error:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, "电话系统暂不可用，呼叫未发出"
            ) from error
    return CallStarted(call_id=record.call_id, attempt_id=record.delivery_attempt_id, created=created)


@router.post("/calls/{call_id}/hangup", status_code=status.HTTP_202_ACCEPTED)
async def hang_up(
    call_id: str, user: CurrentUser, db_session: SessionDep, calls: CallCommandsDep
) -> dict[str, str]:
    record = await asyncio.to_thread(call_service.get_call, db_session=db_session, call_id=call_id)
    if record is None or (user.role is Role.agent and record.agent_user_id != user.id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "通话记录不存在")
    try:
        await calls.hang_up(call_id)
    except CallNotLive as error:
        raise HTTPException(status.HTTP_409_CONFLICT, "通话不在进行中") from error
    except AmiError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "电话系统暂不可用") from error
    return {"status": "hanging_up"}


@router.post("/tasks/{delivery_id}/disposition", response_model=DispositionResult)
def record_disposition(
    delivery_id: int, body: DispositionBody, user: CurrentUser, db_session: SessionDep
) -> DispositionResult:
    """The call's result: what it sets in motion is in `details`; the task is released."""
    disposition = dispositions.Disposition(**body.model_dump())
    with service_errors():
        outcome = service.dispose(
            db_session=db_session, agent=user, delivery_id=delivery_id, disposition=disposition
        )
    result = DispositionResult(
        attempt=AttemptRead.model_validate(outcome.attempt),
        outcome=dispositions.OUTCOMES[disposition.kind].value,
        details=outcome.details,
        evidence_id=outcome.evidence_id,
        presence=snapshots.presence_data(presence.get_presence(db_session=db_session, user_id=user.id)),
    )
    db_session.commit()
    return result
