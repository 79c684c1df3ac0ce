"""Call commands of an API process that does not own AMI: each is sent over the command stream to the
owner's CallCommandServer, and its reply awaited on the reply stream."""

import asyncio
import time
import uuid
from typing import Any

from backend.core.streams import Stream, follow
from telephony.ami import AmiError
from telephony.commands import (
    CallCommand,
    CommandReply,
    CommandRequest,
    HangUpCall,
    ListenIn,
    ListLiveCalls,
    PlaceCall,
)
from telephony.control import CallNotLive

REPLY_TIMEOUT_SECONDS = 10.0


class CallControlUnavailable(AmiError):
    """No answer from the process that owns call control (not running, or unreachable)."""


class RemoteCallCommands:
    def __init__(
        self,
        *,
        requests: Stream[CommandRequest],
        replies: Stream[CommandReply],
        timeout: float = REPLY_TIMEOUT_SECONDS,
    ) -> None:
        self.requests, self.replies, self.timeout = requests, replies, timeout
        self._waiting: dict[str, asyncio.Future[CommandReply]] = {}
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Returns once listening for replies."""
        await self.requests.connect()
        subscribed = asyncio.Event()
        listening = follow(self.replies, self._take_reply, what="call command replies", subscribed=subscribed)
        self._listener = asyncio.ensure_future(listening)
        await asyncio.wait_for(subscribed.wait(), timeout=10)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self.requests.disconnect()

    async def place(self, command: PlaceCall) -> None:
        await self._ask(command)

    async def hang_up(self, call_id: str) -> None:
        await self._ask(HangUpCall(call_id=call_id))

    async def listen_in(self, command: ListenIn) -> None:
        await self._ask(command)

    async def live_calls(self) -> list[dict[str, Any]]:
        reply = await self._ask(ListLiveCalls())
        return list((reply.data or {}).get("calls", []))

    async def _ask(self, command: CallCommand) -> CommandReply:
        """Send COMMAND; an owner that does not answer in time is taken as unavailable. The owner drops a
        command that reaches it after it expired, so one held up in the stream never places a call late."""
        command_id = uuid.uuid4().hex
        reply: asyncio.Future[CommandReply] = asyncio.get_running_loop().create_future()
        self._waiting[command_id] = reply
        request = CommandRequest(
            command_id=command_id, expires_at=time.time() + self.timeout, command=command
        )
        try:
            await self._send(request)
            answer = await asyncio.wait_for(reply, self.timeout)
        except TimeoutError as error:
            raise CallControlUnavailable("call control did not answer in time") from error
        finally:
            self._waiting.pop(command_id, None)
        _raise_failure(answer)
        return answer

    async def _send(self, request: CommandRequest) -> None:
        try:
            await self.requests.publish([request])
        except Exception as error:  # the stream's own errors (Redis down...)
            raise CallControlUnavailable("the call command stream is unreachable") from error

    async def _take_reply(self, reply: CommandReply) -> None:
        waiting = self._waiting.get(reply.command_id)
        if waiting is not None and not waiting.done():
            waiting.set_result(reply)


def _raise_failure(reply: CommandReply) -> None:
    if reply.failure == "not_live":
        raise CallNotLive(reply.message)
    if reply.failure is not None:
        raise CallControlUnavailable(reply.message or reply.failure)
