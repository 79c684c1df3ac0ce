"""The telephony runtime of the API process that owns AMI: call control, the call-event stream, the record
writer, and the server of the call commands other processes send.

The call events go onto the shared stream for every other process. This process's own desks listen to the
event pipeline itself (`control.pipeline.add_listener`): no round trip through Redis, and a Redis outage
does not hold them up.

Every API process gets call commands (`app.state.call_commands`): the owner runs them itself, any other
process sends them to the owner over the shared stream (`redis://`); with `memory://` only the owner can.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException, Request, status

from backend.calls.recorder import CallRecordWriter
from backend.config import Settings, get_settings
from backend.core.streams import Stream
from backend.database import get_session
from telephony.command_server import CallCommandServer, LocalCallCommands
from telephony.commands import CallCommands, command_streams
from telephony.control import CallControl, ami_settings_for
from telephony.events import CallEvent, call_event_stream
from telephony.remote_commands import RemoteCallCommands


@dataclass(slots=True)
class TelephonyRuntime:
    control: CallControl
    bus: Stream[CallEvent]
    writer: CallRecordWriter
    settings: Settings
    commands: LocalCallCommands
    command_server: CallCommandServer

    async def stop(self) -> None:
        await self.command_server.stop()
        await self.control.stop()
        await self.writer.wait_idle()
        await self.bus.disconnect()


async def start_runtime(settings: Settings, *, bus: Stream[CallEvent] | None = None) -> TelephonyRuntime:
    """Connect the stream, wire the sinks, start the AMI loop (it keeps retrying if Asterisk is down), and
    serve the call commands of other processes."""
    bus = bus or call_event_stream(settings.event_bus_url)
    await bus.connect()
    control = CallControl(
        ami_settings_for(
            host=settings.ami_host,
            port=settings.ami_port,
            username=settings.ami_username,
            secret=settings.ami_secret,
        )
    )
    writer = CallRecordWriter(session_factory=get_session, settings=settings)
    control.pipeline.add_sink("call-records", writer)
    control.pipeline.add_sink("event-bus", bus.publish)
    await control.start()
    commands = LocalCallCommands(control)
    requests, replies = command_streams(settings.event_bus_url)
    server = CallCommandServer(commands, requests=requests, replies=replies)
    await server.start()
    return TelephonyRuntime(
        control=control, bus=bus, writer=writer, settings=settings, commands=commands, command_server=server
    )


@asynccontextmanager
async def telephony_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the telephony runtime when settings.telephony_enabled, else send call commands to the process
    that runs it (through a shared stream)."""
    settings = get_settings()
    if settings.telephony_enabled:
        async with _owning_call_control(app, settings):
            yield
    elif not settings.event_bus_url.startswith("memory://"):
        async with _remote_call_control(app, settings):
            yield
    else:
        yield


@asynccontextmanager
async def _owning_call_control(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    runtime = await start_runtime(settings)
    app.state.telephony, app.state.call_commands = runtime, runtime.commands
    try:
        yield
    finally:
        del app.state.telephony, app.state.call_commands
        await runtime.stop()


@asynccontextmanager
async def _remote_call_control(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    requests, replies = command_streams(settings.event_bus_url)
    remote = RemoteCallCommands(requests=requests, replies=replies)
    await remote.start()
    app.state.call_commands = remote
    try:
        yield
    finally:
        del app.state.call_commands
        await remote.stop()


def current_call_commands(request: Request) -> CallCommands:
    """Call commands in this process (run here or sent to the owner), or 503 when there is no way to one."""
    commands: CallCommands | None = getattr(request.app.state, "call_commands", None)
    if commands is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "本进程未启用呼叫控制")
    return commands
