"""Two real API processes sharing Redis: a call event published once reaches the clients of both, a desk
change made through one process reaches a client of the other, and a presence change caused by a call
event (which both processes hear) is applied and announced exactly once."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import websockets
from sqlalchemy.orm import Session as DbSession

from backend import database
from backend.auth import service as auth_service
from backend.auth.models import User
from backend.auth.roles import Role
from telephony.events import CallEvent, call_event_stream
from tests.desk.live import auth_message
from tests.desk.servers import REDIS_URL, api_process
from tests.desk.world import call_events, calling_a_new_task, new_extension

WAIT = 10.0
Message = dict[str, Any]


def _token(user_id: int) -> str:
    with database.get_session() as session:
        token, _ = auth_service.issue_token(db_session=session, user=session.get_one(User, user_id))
        return token


class Client:
    """A websocket client of one process; `until` collects messages up to the one that matches."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def until(self, matches: Callable[[Message], bool]) -> list[Message]:
        seen: list[Message] = []
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), WAIT))
            seen.append(message)
            if matches(message):
                return seen


def _event(topic: str, matches: Callable[[Any], bool]) -> Callable[[Message], bool]:
    return lambda m: m.get("type") == "event" and m.get("topic") == topic and matches(m["data"])


async def _publish(events: list[CallEvent]) -> None:
    bus = call_event_stream(REDIS_URL)
    await bus.connect()
    try:
        await bus.publish(events)
    finally:
        await bus.disconnect()


def test_two_processes_with_the_redis_bus_deliver_the_same_events(
    database_url: str, db_session: DbSession, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent, sip_extension=new_extension())
    supervisor = make_user(Role.supervisor)
    made, call_id = calling_a_new_task(agent.id)
    agent_token, supervisor_token = _token(agent.id), _token(supervisor.id)
    desk_login, wall_login = auth_message(agent_token, "me"), auth_message(supervisor_token, "calls")
    events = call_events(call_id, answered=False)

    async def scenario(first: str, second: str) -> None:
        ws_first, ws_second = first.replace("http", "ws"), second.replace("http", "ws")
        async with (
            websockets.connect(f"{ws_first}/ws") as wall_a,
            websockets.connect(f"{ws_second}/ws") as wall_b,
            websockets.connect(f"{ws_second}/ws") as desk_b,
        ):
            for ws, login in ((wall_a, wall_login), (wall_b, wall_login), (desk_b, desk_login)):
                await ws.send(login)
            walls, desk = [Client(wall_a), Client(wall_b)], Client(desk_b)
            for client in (*walls, desk):
                await client.until(lambda m: m["type"] == "snapshot")

            await _publish(events[:3])  # originated, agent ringing, agent answered: published once
            for wall in walls:
                await wall.until(
                    _event("calls", lambda d: d["call_id"] == call_id and d["state"] == "agent_connected")
                )
            await _publish(events[3:])  # party dialled, call ended (no answer)
            for wall in walls:
                ended = await wall.until(_event("calls", lambda d: d["state"] == "ended"))
                assert ended[-1]["data"]["outcome"] == "no_answer"
            seen = await desk.until(
                _event("me", lambda d: d["kind"] == "presence" and d["presence"]["state"] == "wrap_up")
            )
            states = [
                m["data"]["presence"]["state"] for m in seen if m.get("data", {}).get("kind") == "presence"
            ]
            assert states == [
                "on_call",
                "wrap_up",
            ]  # each applied once, though both processes heard the events

            async with httpx.AsyncClient(
                base_url=first
            ) as http:  # a desk change made through the other process
                response = await http.post(
                    f"/api/desk/tasks/{made.delivery_id}/release",
                    json={"reason": "换人处理"},
                    headers={"Authorization": f"Bearer {agent_token}"},
                )
                assert response.status_code == 204, response.text
            await desk.until(_event("me", lambda d: d["kind"] == "task" and d["task"] is None))

    with api_process(database_url=database_url) as first, api_process(database_url=database_url) as second:
        asyncio.run(scenario(first, second))
