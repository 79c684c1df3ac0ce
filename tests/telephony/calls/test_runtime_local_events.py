"""The process that owns AMI hands call events to its own subscribers (the desks connected to it) straight
from the event pipeline: they wait for no round trip through the shared bus and go on while it is down."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

from sqlalchemy import Engine

from backend.calls.runtime import start_runtime
from backend.config import get_settings
from telephony.bus import EventBus
from telephony.events import CallEvent, CallOriginated

WAIT = 5.0


class DownBus(EventBus):
    """A shared bus that cannot be reached: every publish fails (its sink retries)."""

    def __init__(self) -> None:
        self.publish_attempts = 0

    async def publish(self, events: Sequence[CallEvent]) -> None:
        self.publish_attempts += 1
        raise ConnectionError("shared bus unreachable")

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[CallEvent]]:
        raise AssertionError("the AMI owner's own subscribers must not read the shared bus")


def test_the_ami_owner_hands_call_events_to_its_own_subscribers_while_the_shared_bus_is_down(
    db: Engine,
) -> None:
    call_id = uuid.uuid4().hex
    shared = DownBus()

    async def scenario() -> CallEvent:
        runtime = await start_runtime(get_settings(), bus=shared)
        try:
            async with runtime.local_events.subscribe() as events:
                originated = CallOriginated(
                    call_id=call_id, at=datetime.now(UTC), agent_endpoint="PJSIP/1009", number="13800000000"
                )
                runtime.control.pipeline.inject([originated])
                return await asyncio.wait_for(anext(events), WAIT)
        finally:
            await runtime.stop()

    received = asyncio.run(scenario())
    assert isinstance(received, CallOriginated)
    assert received.call_id == call_id
    assert shared.publish_attempts >= 1  # the shared bus was tried too, and failed
