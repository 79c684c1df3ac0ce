"""Presence follows the desk's sockets across API processes: an agent with a desk open on two processes
stays available when one closes (the other keeps marking the desk as seen), and goes offline when the last
one closes."""

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import websockets

from backend import database
from backend.auth import service as auth_service
from backend.auth.models import User
from backend.auth.roles import Role
from backend.database import utcnow
from backend.desk.models import AgentPresence
from tests.desk.live import auth_message
from tests.desk.servers import api_process
from tests.polling import poll_until

GRACE = 1.0


def _token(user_id: int) -> str:
    with database.get_session() as session:
        token, _ = auth_service.issue_token(db_session=session, user=session.get_one(User, user_id))
        return token


def _presence(user_id: int) -> AgentPresence:
    with database.get_session() as session:
        row = session.get_one(AgentPresence, user_id)
        session.expunge(row)
        return row


def _seen_after(user_id: int, moment: datetime) -> bool:
    seen = _presence(user_id).desk_seen_at
    return seen is not None and seen > moment


async def _open_desk(base: str, token: str) -> websockets.ClientConnection:
    ws = await websockets.connect(base.replace("http", "ws") + "/ws")
    await ws.send(auth_message(token, "me"))
    await ws.recv()  # hello
    await ws.recv()  # the snapshot of `me`: the desk is registered and marked
    return ws


def test_a_desk_open_on_another_process_keeps_the_agent_and_the_last_one_closing_signs_out(
    make_user: Callable[..., User], database_url: str
) -> None:
    agent = make_user(Role.agent, full_name="王磊", sip_extension="7321")
    token = _token(agent.id)
    settings = {"SONGDA_DESK_PRESENCE_GRACE_SECONDS": str(GRACE)}
    with (
        api_process(database_url=database_url, **settings) as first,
        api_process(database_url=database_url, **settings) as second,
    ):
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.post(f"{first}/api/desk/presence", json={"state": "available"}, headers=auth).is_success

        async def scenario() -> None:
            one, other = await _open_desk(first, token), await _open_desk(second, token)
            await one.close()
            closed_at = utcnow()
            await asyncio.to_thread(
                poll_until,
                lambda: _seen_after(agent.id, closed_at + timedelta(seconds=2 * GRACE)),
                timeout=10,
                what="the other process never marked its desk after the grace",
            )
            assert _presence(agent.id).state == "available"
            await other.close()

        asyncio.run(scenario())
        gone = poll_until(
            lambda: (row := _presence(agent.id)).state == "offline" and row,
            timeout=GRACE + 10,
            what="the agent stayed available after the last desk closed",
        )
        assert gone.reason == "工作台已关闭"
