"""The process that owns AMI hands call events to its own listeners (the hub of the desks connected to it)
straight from the event pipeline: they wait for no round trip through the shared bus, nor for any other
task, and go on while the shared bus is down."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

from sqlalchemy import Engine

from backend.calls.runtime import start_runtime
from backend.config import get_settings
from backend.core.streams import Stream
from telephony.events import AgentRinging, CallEvent, CallOriginated
from tests.desk.servers import free_port

WAIT = 5.0


class DownBus(Stream[CallEvent]):
    """A shared stream that cannot be reached: every publish fails (its sink retries)."""

    def __init__(self) -> None:
        self.publish_attempts = 0

    async def publish(self, events: Sequence[CallEvent]) -> None:
        self.publish_attempts += 1
        raise ConnectionError("shared bus unreachable")

    def publish_now(self, events: Sequence[CallEvent]) -> None:
        raise ConnectionError("shared bus unreachable")

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[CallEvent]]:
        raise AssertionError("the AMI owner's own subscribers must not read the shared bus")


def test_the_ami_owner_hands_call_events_to_its_own_listeners_at_once_while_the_shared_bus_is_down(
    db: Engine,
) -> None:
    call_id = uuid.uuid4().hex
    shared = DownBus()

    async def scenario() -> tuple[list[CallEvent], list[CallEvent]]:
        # An AMI port nothing listens on: a real Asterisk left running by other tests would resync its calls.
        settings = get_settings().model_copy(update={"ami_port": free_port()})
        runtime = await start_runtime(settings, bus=shared)
        heard: list[CallEvent] = []
        try:
            stop_listening = runtime.control.pipeline.add_listener(heard.extend)
            originated = CallOriginated(
                call_id=call_id, at=datetime.now(UTC), agent_endpoint="PJSIP/1009", number="13800000000"
            )
            runtime.control.pipeline.inject([originated])
            heard_at_once = list(heard)  # before any other task ran
            await _until(lambda: shared.publish_attempts >= 2)  # the shared bus is tried, and retried
            stop_listening()
            ringing = AgentRinging(call_id=call_id, at=datetime.now(UTC), channel="PJSIP/1009-00000001")
            runtime.control.pipeline.inject([ringing])  # nobody listens any more
            return heard_at_once, heard
        finally:
            await runtime.stop()

    heard_at_once, heard = asyncio.run(scenario())
    assert [(type(event), event.call_id) for event in heard_at_once] == [(CallOriginated, call_id)]
    assert heard == heard_at_once


async def _until(condition: Callable[[], bool]) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)
