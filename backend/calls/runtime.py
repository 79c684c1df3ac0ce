"""The telephony runtime of the API process that owns AMI: call control, the event bus, the record writer.

The call events go onto the shared bus for every other process. This process's own desks listen to the
event pipeline itself (`control.pipeline.add_listener`): no round trip through Redis, and a Redis outage
does not hold them up.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException, Request, status

from backend.calls.recorder import CallRecordWriter
from backend.config import Settings, get_settings
from backend.database import get_session
from telephony.bus import EventBus, bus_from_url
from telephony.control import CallControl, ami_settings_for

AMI_FIRST_CONNECT_SECONDS = 5.0


@dataclass(slots=True)
class TelephonyRuntime:
    control: CallControl
    bus: EventBus
    writer: CallRecordWriter
    settings: Settings

    async def stop(self) -> None:
        await self.control.stop()
        await self.writer.wait_idle()
        await self.bus.disconnect()


async def start_runtime(settings: Settings, *, bus: EventBus | None = None) -> TelephonyRuntime:
    """Connect the bus, wire the sinks, start the AMI loop (it keeps retrying if Asterisk is down)."""
    bus = bus or bus_from_url(settings.event_bus_url)
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
    return TelephonyRuntime(control=control, bus=bus, writer=writer, settings=settings)


@asynccontextmanager
async def telephony_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the telephony runtime for the app's lifetime when settings.telephony_enabled."""
    settings = get_settings()
    if not settings.telephony_enabled:
        yield
        return
    runtime = await start_runtime(settings)
    app.state.telephony = runtime
    try:
        yield
    finally:
        del app.state.telephony
        await runtime.stop()


def current_runtime(request: Request) -> TelephonyRuntime:
    """The runtime of this process, or 503 when this process does not own call control."""
    runtime: TelephonyRuntime | None = getattr(request.app.state, "telephony", None)
    if runtime is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "本进程未启用呼叫控制")
    return runtime
