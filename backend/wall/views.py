"""The supervisor wall API (/api/wall, supervisor and admin): snapshot, force presence, listen in.
The court's pickup windows and slots, under the same prefix, are in backend/pickup/views.py."""

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status

from backend.audit import service as audit_service
from backend.audit.reads import audit_read
from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.models import User
from backend.auth.roles import STAFF_ROLES
from backend.calls import service as call_service
from backend.calls.runtime import current_call_commands
from backend.core.errors import NotVisible
from backend.core.http import service_errors
from backend.database import SessionDep
from backend.desk import presence, snapshots
from backend.desk.live_calls import LiveCallBoard
from backend.desk.schemas import ForcePresence, ListenBody, ListenStarted
from backend.wall import service
from telephony.ami import AmiError
from telephony.commands import CallCommands, ListenIn
from telephony.control import CallNotLive

router = secured_router(prefix="/api/wall", tags=["主管监控墙"], roles=STAFF_ROLES)
CallCommandsDep = Annotated[CallCommands, Depends(current_call_commands)]


def _board(request: Request) -> LiveCallBoard | None:
    hub = getattr(request.app.state, "desk_hub", None)
    return hub.board if hub is not None else None


@router.get("")
def wall(request: Request, user: CurrentUser, db_session: SessionDep) -> dict[str, Any]:
    """Queues per group, agents with state and since when, live calls, today's figures."""
    snapshot = service.wall_snapshot(db_session=db_session, board=_board(request))
    call_ids = [call["call_id"] for call in snapshot["calls"]]
    audit_read(
        db_session=db_session,
        user=user,
        request=request,
        action="wall_calls_read",
        object_type="call",
        detail={"via": "rest", "call_ids": call_ids},
    )
    db_session.commit()
    return snapshot


@router.post("/agents/{user_id}/presence")
def force_presence(
    user_id: int, body: ForcePresence, user: CurrentUser, db_session: SessionDep
) -> dict[str, Any]:
    """Put an agent on a break or offline (offline gives back their task)."""
    agent = db_session.get(User, user_id)
    with service_errors():
        if agent is None or not agent.is_active:
            raise NotVisible("坐席")
        row = presence.force(
            db_session=db_session, actor=user, user=agent, state=body.state, reason=body.reason
        )
    db_session.commit()
    return snapshots.presence_data(row)


NO_EXTENSION = (
    "您尚未配置分机，无法监听：请系统管理员在「系统管理 › 用户与角色」为您设置分机号，"
    "刷新监控墙后即可在本页的网页话机中监听"
)


@router.post("/calls/{call_id}/listen", response_model=ListenStarted)
async def listen_to_call(
    call_id: str,
    body: ListenBody,
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    calls: CallCommandsDep,
) -> ListenStarted:
    """Ring the supervisor's phone and let them hear (or whisper to the agent of) a live call."""
    if not user.sip_extension:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, NO_EXTENSION)
    record = await asyncio.to_thread(call_service.get_call, db_session=db_session, call_id=call_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "通话记录不存在")
    spy = ListenIn(
        call_id=call_id,
        supervisor_extension=user.sip_extension,
        whisper=body.whisper,
        spy_call_id=uuid.uuid4().hex,
    )
    try:
        await calls.listen_in(spy)
    except CallNotLive as error:
        raise HTTPException(status.HTTP_409_CONFLICT, "通话不在进行中") from error
    except AmiError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "电话系统暂不可用") from error
    detail = {"spy_call_id": spy.spy_call_id, "whisper": body.whisper, "agent_user_id": record.agent_user_id}
    await asyncio.to_thread(_audit_listen, db_session, user, request, call_id, detail)
    return ListenStarted(call_id=spy.spy_call_id, spied_call_id=call_id, whisper=body.whisper)


def _audit_listen(
    db_session: SessionDep, user: User, request: Request, call_id: str, detail: dict[str, Any]
) -> None:
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="call_listen",
        object_type="call",
        object_id=call_id,
        client_ip=client_ip(request),
        detail=detail,
    )
    db_session.commit()
