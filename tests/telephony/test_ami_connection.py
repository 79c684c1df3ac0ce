"""The AMI owner against a local AMI-speaking server: keepalive, reconnect, the resync hook."""

import asyncio
from collections.abc import Callable

import pytest

from telephony.ami import AmiConnection, AmiNotConnected, AmiSettings
from telephony.ami_replay import AmiReplayServer


def settings(port: int) -> AmiSettings:
    """Short keepalive and timeouts so a dead line is noticed within a second."""
    return AmiSettings(
        host="127.0.0.1",
        port=port,
        username="u",
        secret="s",
        ping_interval=0.2,
        action_timeout=0.5,
        connect_timeout=1.0,
    )


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def test_silent_server_is_detected_and_the_connection_rebuilt() -> None:
    """A hung Asterisk (no answer, no FIN) must not leave us deaf: asterisk-ami 0.1.7 never recovers here."""

    async def scenario() -> tuple[int, int]:
        async with AmiReplayServer(b"") as server:
            resyncs = 0

            async def on_connected(connection: AmiConnection) -> None:
                nonlocal resyncs
                resyncs += 1
                await connection.list_action("CoreShowChannels")

            connection = AmiConnection(
                settings(server.port), on_events=lambda _: None, on_connected=on_connected
            )
            runner = asyncio.create_task(connection.run())
            await connection.wait_up(5)
            server.stalled = True
            await until(lambda: not connection.is_up)
            server.stalled = False
            await until(lambda: connection.is_up and connection.stats.connects == 2)
            assert (await connection.action("Ping"))["Ping"] == "Pong"
            connection.close()
            await runner
            return server.sessions, resyncs

    sessions, resyncs = asyncio.run(scenario())
    assert resyncs == 2 and sessions >= 2


def test_cut_connection_fails_pending_actions_at_once_and_reconnects() -> None:
    async def scenario() -> None:
        async with AmiReplayServer(b"") as server:
            connection = AmiConnection(settings(server.port), on_events=lambda _: None)
            runner = asyncio.create_task(connection.run())
            await connection.wait_up(5)
            server.stalled = True
            pending = asyncio.create_task(connection.action("Ping", timeout=30))
            await asyncio.sleep(0.05)
            server.cut()
            with pytest.raises(AmiNotConnected):
                await asyncio.wait_for(pending, 1)  # not after the 30 s action timeout
            server.stalled = False
            await until(lambda: connection.is_up and connection.stats.connects == 2)
            connection.close()
            await runner

    asyncio.run(scenario())


def test_actions_without_a_session_raise_instead_of_waiting() -> None:
    async def scenario() -> None:
        connection = AmiConnection(settings(1), on_events=lambda _: None)
        with pytest.raises(AmiNotConnected):
            await connection.action("Ping")

    asyncio.run(scenario())


def test_close_while_connecting_stops_the_connection_for_good() -> None:
    """close() before the TCP connection is made has no session to abort; run() must still return."""

    async def scenario() -> int:
        async with AmiReplayServer(b"") as server:
            connection = AmiConnection(settings(server.port), on_events=lambda _: None)
            runner = asyncio.create_task(connection.run())
            await asyncio.sleep(0)  # run() is now inside create_connection
            connection.close()
            await asyncio.wait_for(runner, 5)
            return connection.stats.connects

    assert asyncio.run(scenario()) == 0
