"""The AMI owner's side of call commands: `LocalCallCommands` runs them on CallControl (at most one call
per idempotency key), `CallCommandServer` takes them from the command stream and answers on the reply
stream."""

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Coroutine
from typing import Any

from backend.core.streams import Stream, follow
from telephony.ami import AmiError
from telephony.commands import (
    CommandReply,
    CommandRequest,
    HangUpCall,
    ListenIn,
    ListLiveCalls,
    PlaceCall,
)
from telephony.control import CallControl, CallNotLive, OriginateRequest
from telephony.live import live_call_data

log = logging.getLogger(__name__)
KEYS_REMEMBERED = 10_000


class LocalCallCommands:
    """Call commands of the process that owns AMI."""

    def __init__(self, control: CallControl) -> None:
        self.control = control
        self._placed: OrderedDict[str, asyncio.Future[None]] = OrderedDict()

    async def place(self, command: PlaceCall) -> None:
        """Place the call, once per idempotency key: a repeated key shares the first one's outcome."""
        placing = self._placed.get(command.idempotency_key)
        if placing is None:
            placing = asyncio.ensure_future(self._originate(command))
            self._placed[command.idempotency_key] = placing
            while len(self._placed) > KEYS_REMEMBERED:
                self._placed.popitem(last=False)
        await asyncio.shield(placing)

    async def _originate(self, command: PlaceCall) -> None:
        endpoint = command.agent_extension
        if command.prefer_browser_phone:
            endpoint = await self.control.endpoint_to_ring(command.agent_extension)
        await self.control.originate(
            OriginateRequest(
                call_id=command.call_id,
                agent_endpoint=endpoint,
                number=command.number,
                test_clip=command.test_clip,
                ring_timeout_seconds=command.ring_timeout_seconds,
                agent_answer_timeout_seconds=command.agent_answer_timeout_seconds,
                agent_user_id=command.agent_user_id,
                delivery_id=command.delivery_id,
                attempt_id=command.attempt_id,
            )
        )

    async def hang_up(self, call_id: str) -> None:
        await self.control.hangup(call_id)

    async def listen_in(self, command: ListenIn) -> None:
        await self.control.listen_in(
            call_id=command.call_id,
            supervisor_extension=command.supervisor_extension,
            whisper=command.whisper,
            spy_call_id=command.spy_call_id,
        )

    async def live_calls(self) -> list[dict[str, Any]]:
        return [live_call_data(call) for call in self.control.live_calls()]


class CallCommandServer:
    """Runs the commands other processes send, each in its own task, and answers every one in time."""

    def __init__(
        self,
        commands: LocalCallCommands,
        *,
        requests: Stream[CommandRequest],
        replies: Stream[CommandReply],
    ) -> None:
        self.commands, self.requests, self.replies = commands, requests, replies
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Returns once subscribed to the command stream."""
        await self.replies.connect()
        subscribed = asyncio.Event()
        self._spawn(follow(self.requests, self._take, what="call commands", subscribed=subscribed))
        await asyncio.wait_for(subscribed.wait(), timeout=10)

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.replies.disconnect()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _take(self, request: CommandRequest) -> None:
        if request.expires_at < time.time():
            log.warning("dropped call command %s: it expired before it arrived", request.command_id)
            return
        self._spawn(self._answer(request))

    async def _answer(self, request: CommandRequest) -> None:
        try:
            reply = CommandReply(command_id=request.command_id, data=await self._run(request))
        except CallNotLive:
            reply = CommandReply(command_id=request.command_id, failure="not_live")
        except AmiError as error:
            reply = CommandReply(command_id=request.command_id, failure="unavailable", message=str(error))
        await self.replies.publish([reply])

    async def _run(self, request: CommandRequest) -> dict[str, Any] | None:
        command = request.command
        if isinstance(command, PlaceCall):
            await self.commands.place(command)
        elif isinstance(command, HangUpCall):
            await self.commands.hang_up(command.call_id)
        elif isinstance(command, ListenIn):
            await self.commands.listen_in(command)
        elif isinstance(command, ListLiveCalls):
            return {"calls": await self.commands.live_calls()}
        return None
