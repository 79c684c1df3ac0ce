"""A desk client writes its messages straight to its socket, together after each pass of the event loop;
while a write waits (a slow reader) the next messages wait and then go out together; too many waiting
close the client with 1013; a failed socket loses the client quietly."""

import asyncio
import json
from collections.abc import Callable

from agent_desk.clients import WAITING_LIMIT, CloseCode, DeskClient, Outgoing
from backend.auth.roles import Role
from tests.desk.sockets import HeldSocket, RecordingSocket


def _client(outgoing: Outgoing, socket: RecordingSocket, *, batch: bool) -> DeskClient:
    return DeskClient(
        user_id=7, role=Role.supervisor, token_sha256="", outgoing=outgoing, socket=socket, batch=batch
    )


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0)


def _writing_first_event() -> tuple[Outgoing, HeldSocket, DeskClient]:
    """A batching client whose first event's write is under way and held (a reader that stopped)."""
    outgoing = Outgoing()
    socket = HeldSocket()
    client = _client(outgoing, socket, batch=True)
    socket.hold()
    client.send_event("calls", '{"n":0}')
    outgoing.flush()
    return outgoing, socket, client


def test_messages_of_one_pass_go_out_after_it_one_frame_each_or_one_batch() -> None:
    async def scenario() -> tuple[list[str], list[str], list[str]]:
        outgoing = Outgoing()
        plain_socket, batch_socket = RecordingSocket(), RecordingSocket()
        plain = _client(outgoing, plain_socket, batch=False)
        batched = _client(outgoing, batch_socket, batch=True)
        for number in range(3):
            for client in (plain, batched):
                client.send_event("calls", json.dumps({"n": number}))
        before = list(plain_socket.frames)
        await asyncio.sleep(0)  # the pass is over
        return before, plain_socket.frames, batch_socket.frames

    before, plain_frames, batch_frames = asyncio.run(scenario())
    assert before == []
    assert [json.loads(frame)["data"]["n"] for frame in plain_frames] == [0, 1, 2]
    assert len(batch_frames) == 1
    batch = json.loads(batch_frames[0])
    assert batch["type"] == "batch"
    assert [(m["seq"], m["data"]["n"]) for m in batch["data"]] == [(1, 0), (2, 1), (3, 2)]


def test_messages_wait_behind_a_slow_write_then_go_out_together_in_order() -> None:
    async def scenario() -> HeldSocket:
        outgoing, socket, client = _writing_first_event()
        assert socket.writes_started == 1 and socket.frames == []
        for number in range(1, 5):
            client.send_event("calls", json.dumps({"n": number}))
        outgoing.flush()
        assert socket.writes_started == 1 and client.waiting == 4  # nothing overtakes the waiting write
        socket.let_through()
        await _until(lambda: len(socket.frames) == 2)
        return socket

    socket = asyncio.run(scenario())
    assert json.loads(socket.frames[0])["data"] == {"n": 0}
    assert json.loads(socket.frames[1])["type"] == "batch"
    assert [m["data"]["n"] for m in socket.messages] == [0, 1, 2, 3, 4]


def test_a_client_too_far_behind_is_closed_with_1013_after_the_write_under_way() -> None:
    async def scenario() -> tuple[HeldSocket, DeskClient]:
        outgoing, socket, client = _writing_first_event()
        for number in range(1, WAITING_LIMIT + 2):
            client.send_event("calls", json.dumps({"n": number}))
        assert client.close_code == CloseCode.TOO_SLOW and client.waiting == 0
        outgoing.flush()
        assert socket.closed_with is None  # not before the write under way is done
        socket.let_through()
        await asyncio.wait_for(client.finished(), 5)
        client.send_event("calls", '{"n":-1}')
        outgoing.flush()
        return socket, client

    socket, client = asyncio.run(scenario())
    assert [m["data"]["n"] for m in socket.messages] == [0]
    assert socket.closed_with == (CloseCode.TOO_SLOW, client.close_reason) and client.close_reason


class _BrokenSocket(RecordingSocket):
    async def send_text(self, data: str) -> None:
        raise ConnectionResetError("peer gone")


def test_a_socket_that_fails_loses_its_client_quietly() -> None:
    async def scenario() -> tuple[DeskClient, _BrokenSocket]:
        outgoing = Outgoing()
        socket = _BrokenSocket()
        client = _client(outgoing, socket, batch=False)
        client.send_event("calls", '{"n":0}')
        await asyncio.sleep(0)
        client.send_event("calls", '{"n":1}')
        await client.finished()
        return client, socket

    client, socket = asyncio.run(scenario())
    assert client.close_code == CloseCode.GOING_AWAY and client.socket is None
    assert client.waiting == 0 and socket.closed_with is None
