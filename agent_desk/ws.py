"""The websocket endpoint /ws (the token in its first message, never in the URL) and the lifespan that
runs this process's hub. Protocol: agent_desk/PROTOCOL.md."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect

from agent_desk.clients import ROLE_TOPICS, CloseCode, DeskClient
from agent_desk.hub import DeskHub
from backend.auth import service as auth_service
from backend.auth.models import User
from backend.config import get_settings
from backend.database import get_session, utcnow
from backend.desk import snapshots
from backend.desk.messages import desk_stream_for
from telephony.events import call_event_stream

PING_INTERVAL_SECONDS = 20


@asynccontextmanager
async def desk_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the hub; when this process owns call control, the hub takes its events straight from it."""
    settings = get_settings()
    runtime = getattr(app.state, "telephony", None)
    desk_stream = desk_stream_for(settings.event_bus_url)
    if runtime is not None:
        hub = DeskHub(settings=settings, desk_stream=desk_stream, call_pipeline=runtime.control.pipeline)
    else:
        call_stream = call_event_stream(settings.event_bus_url)
        hub = DeskHub(settings=settings, desk_stream=desk_stream, call_stream=call_stream)
    await hub.start()
    app.state.desk_hub = hub
    try:
        yield
    finally:
        del app.state.desk_hub
        await hub.stop()


router = APIRouter(lifespan=desk_lifespan)


URL_TOKEN_PARAMETERS = ("token", "access_token")


@dataclass(frozen=True)
class DeskLogin:
    """What the client's first message, `auth`, carries."""

    token: str
    topics: list[str]
    batch: bool


class Refused(Exception):
    """The socket is closed with CODE and REASON (Chinese, at most 123 bytes) before it is registered."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@router.websocket("/ws")
async def desk_socket(websocket: WebSocket) -> None:
    hub: DeskHub = websocket.app.state.desk_hub
    await websocket.accept()
    try:
        login = await _login(websocket, hub.settings.desk_ws_auth_seconds)
        user = await asyncio.to_thread(_authenticate, login.token)
    except Refused as refused:
        await websocket.close(refused.code, refused.reason)
        return
    except WebSocketDisconnect:
        return
    client = DeskClient(
        user_id=user.id,
        role=user.role,
        token_sha256=auth_service.token_digest(login.token),
        outgoing=hub.outgoing,
        socket=websocket,
        batch=login.batch,
    )
    hub.register(client)
    try:
        client.send({"type": "hello", "data": _hello(user, client, hub)})
        if login.topics:
            await hub.subscribe(client, login.topics)
        await _receive_loop(websocket, client, hub)
    finally:
        hub.unregister(client)
        client.close(CloseCode.GOING_AWAY, "")
        await client.finished()


async def _login(websocket: WebSocket, seconds: float) -> DeskLogin:
    """The first message, which must be `auth` and arrive within SECONDS of connecting."""
    if any(name in websocket.query_params for name in URL_TOKEN_PARAMETERS):  # URLs end up in logs
        raise Refused(CloseCode.TOKEN_INVALID, "令牌不能放在网址中，请在连接后的第一条消息中发送")
    try:
        async with asyncio.timeout(seconds):
            received = await websocket.receive()
    except TimeoutError:
        raise Refused(CloseCode.IDLE, f"连接后 {seconds:g} 秒内未收到登录消息") from None
    if received["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(received.get("code", 1000))
    try:
        message = json.loads(received.get("text") or "")
    except ValueError:
        message = None
    data = message.get("data") if isinstance(message, dict) and message.get("type") == "auth" else None
    if not isinstance(data, dict):
        raise Refused(CloseCode.AUTH_EXPECTED, "第一条消息须为登录消息（auth）")
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise Refused(CloseCode.TOKEN_INVALID, "未登录或登录已失效")
    return DeskLogin(token=token, topics=_topics_of(message), batch=data.get("batch") is True)


def _authenticate(token: str) -> User:
    with get_session() as db_session:
        user = auth_service.user_for_token(db_session=db_session, raw_token=token)
    if user is None:
        raise Refused(CloseCode.TOKEN_INVALID, "未登录或登录已失效")
    if user.role not in ROLE_TOPICS:
        raise Refused(CloseCode.ROLE_REFUSED, "当前角色无坐席工作台")
    return user


def _hello(user: User, client: DeskClient, hub: DeskHub) -> dict[str, Any]:
    return {
        "user": snapshots.user_data(user),
        "topics_allowed": sorted(client.allowed_topics),
        "server_time": utcnow().isoformat(),
        "ping_interval_seconds": PING_INTERVAL_SECONDS,
        "idle_timeout_seconds": hub.settings.desk_ws_idle_seconds,
    }


async def _receive_loop(websocket: WebSocket, client: DeskClient, hub: DeskHub) -> None:
    while client.close_code is None:
        try:
            text = await websocket.receive_text()
        except (WebSocketDisconnect, RuntimeError):
            return
        client.heard()
        await _handle(text, client, hub)


async def _handle(text: str, client: DeskClient, hub: DeskHub) -> None:
    try:
        message = json.loads(text)
        kind = message["type"]
    except (ValueError, KeyError, TypeError):
        client.send({"type": "error", "data": {"message": "消息格式错误"}})
        return
    topics = _topics_of(message)
    if kind == "ping":
        client.send({"type": "pong", "data": {"server_time": utcnow().isoformat()}})
    elif kind == "subscribe":
        await hub.subscribe(client, topics)
    elif kind == "unsubscribe":
        client.topics.difference_update(topics)
    else:
        client.send({"type": "error", "data": {"message": f"未知消息类型「{kind}」"}})


def _topics_of(message: dict[str, Any]) -> list[str]:
    data = message.get("data")
    topics = data.get("topics") if isinstance(data, dict) else None
    return [str(topic) for topic in topics] if isinstance(topics, list) else []
