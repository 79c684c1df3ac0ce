"""Call control for the one process that owns AMI: originate, hang up, listen in, live state, resync on
reconnect. Nothing else sends AMI actions about calls."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from telephony.ami import AmiConnection, AmiError, AmiSettings
from telephony.ami_protocol import AmiMessage
from telephony.events import CallEvent, CallOriginated, DialResult, HungUp, Leg, OriginateFailed
from telephony.live import LiveCall
from telephony.normalizer import WANTED_EVENTS
from telephony.pipeline import EventPipeline

log = logging.getLogger(__name__)
SPY_ANSWER_SECONDS = 30

OUTBOUND_CONTEXT = "songda-outbound"
# After a reconnect, a call missing from CoreShowChannels is declared ended only after this grace, in
# case its Hangup event is still on the way.
GONE_GRACE_SECONDS = 1.0
# The dialplan may leave `DIALSTATUS,HANGUPCAUSE,ANSWEREDTIME` here for calls that end while AMI is down.
DIAL_RESULT_DB_FAMILY = "songda-dialend"
NOT_REACHABLE = frozenset({"UNAVAILABLE", "INVALID", "UNKNOWN", ""})


def browser_endpoint(extension: str) -> str:
    """The PJSIP endpoint of the browser softphone (desk or wall page) of EXTENSION."""
    return f"web{extension}"


class CallNotLive(LookupError):
    """No call in progress has this id."""


@dataclass(frozen=True, slots=True)
class OriginateRequest:
    call_id: str
    agent_endpoint: str
    number: str
    test_clip: str | None = None
    ring_timeout_seconds: int | None = None
    agent_answer_timeout_seconds: int = 30
    # Who placed the call and for which delivery attempt (Songda's ids), passed on in CallOriginated.
    agent_user_id: int | None = None
    delivery_id: int | None = None
    attempt_id: int | None = None

    def headers(self) -> list[tuple[str, str]]:
        headers = [
            ("Channel", f"PJSIP/{self.agent_endpoint}"),
            ("Context", OUTBOUND_CONTEXT),
            ("Exten", self.number),
            ("Priority", "1"),
            ("Async", "true"),
            ("Timeout", str(self.agent_answer_timeout_seconds * 1000)),
            ("ChannelId", self.call_id),
            ("CallerID", f"<{self.number}>"),  # what the agent's phone displays
            ("Variable", f"__SONGDA_CALL_ID={self.call_id}"),
        ]
        if self.test_clip:
            headers.append(("Variable", f"__SONGDA_TEST_CLIP={self.test_clip}"))
        if self.ring_timeout_seconds:
            headers.append(("Variable", f"SONGDA_RING_TIMEOUT={self.ring_timeout_seconds}"))
        return headers


@dataclass(frozen=True, slots=True)
class SpyRequest:
    """Ring the supervisor's endpoint; on answer, ChanSpy on the agent's channel (whisper: speak to them)."""

    spy_call_id: str
    supervisor_endpoint: str
    agent_channel: str
    whisper: bool = False

    @property
    def options(self) -> str:
        # q: no beep or channel announcement; E: end when the spied channel hangs up; w: whisper to the agent.
        return "qEw" if self.whisper else "qE"

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("Channel", f"PJSIP/{self.supervisor_endpoint}"),
            ("Application", "ChanSpy"),
            ("Data", f"{self.agent_channel},{self.options}"),
            ("Async", "true"),
            ("Timeout", str(SPY_ANSWER_SECONDS * 1000)),
            ("ChannelId", self.spy_call_id),
            ("CallerID", '"监听" <0000>'),
        ]


def ami_settings_for(*, host: str, port: int, username: str, secret: str) -> AmiSettings:
    return AmiSettings(host=host, port=port, username=username, secret=secret, wanted_events=WANTED_EVENTS)


class CallControl:
    """Owns the AmiConnection and the event pipeline of this process."""

    def __init__(self, ami_settings: AmiSettings, pipeline: EventPipeline | None = None) -> None:
        self.pipeline = pipeline or EventPipeline()
        self.ami = AmiConnection(
            ami_settings, on_events=self.pipeline.on_ami_events, on_connected=self._resync
        )
        self._runner: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()

    async def start(self, *, wait_up: float | None = None) -> None:
        """Start the sinks and the AMI connection loop; optionally wait for the first session."""
        self.pipeline.start()
        self._runner = asyncio.create_task(self.ami.run(), name="ami-connection")
        if wait_up is not None:
            await self.ami.wait_up(wait_up)

    async def stop(self) -> None:
        self.ami.close()
        if self._runner is not None:
            await self._runner
        for task in list(self._background):
            task.cancel()
        await self.pipeline.stop()

    async def originate(self, request: OriginateRequest) -> None:
        """Ring the agent, then (dialplan) dial the party; raises AmiError when Asterisk refused."""
        now = datetime.now(UTC)
        self.pipeline.inject(
            [
                CallOriginated(
                    call_id=request.call_id,
                    at=now,
                    agent_endpoint=request.agent_endpoint,
                    number=request.number,
                    agent_user_id=request.agent_user_id,
                    delivery_id=request.delivery_id,
                    attempt_id=request.attempt_id,
                )
            ]
        )
        try:
            await self.ami.action("Originate", request.headers())
        except AmiError:
            self.pipeline.inject([OriginateFailed(call_id=request.call_id, at=datetime.now(UTC), reason=0)])
            raise

    async def hangup(self, call_id: str) -> None:
        """Hang up the agent leg (Dial then ends the party leg); raises CallNotLive."""
        call = self.pipeline.tracker.calls.get(call_id)
        if call is None or call.agent_channel is None:
            raise CallNotLive(call_id)
        await self.ami.action("Hangup", [("Channel", call.agent_channel), ("Cause", "16")])

    async def listen_in(
        self, *, call_id: str, supervisor_extension: str, whisper: bool, spy_call_id: str
    ) -> None:
        """Ring the supervisor (browser phone first) and let them hear the agent leg of CALL_ID, or
        whisper to the agent; raises CallNotLive when the call is not up, AmiError when Asterisk refused."""
        call = self.pipeline.tracker.calls.get(call_id)
        if call is None or call.agent_channel is None:
            raise CallNotLive(call_id)
        request = SpyRequest(
            spy_call_id=spy_call_id,
            supervisor_endpoint=await self.endpoint_to_ring(supervisor_extension),
            agent_channel=call.agent_channel,
            whisper=whisper,
        )
        await self.ami.action("Originate", request.headers())

    async def is_registered(self, endpoint: str) -> bool:
        """Whether the PJSIP ENDPOINT is reachable now (AMI Getvar DEVICE_STATE, one round trip)."""
        try:
            response = await self.ami.action("Getvar", [("Variable", f"DEVICE_STATE(PJSIP/{endpoint})")])
        except AmiError:
            return False
        return response.get("Value", "") not in NOT_REACHABLE

    async def endpoint_to_ring(self, extension: str) -> str:
        """The browser phone of EXTENSION if it is registered, else the SIP desk phone on EXTENSION."""
        browser = browser_endpoint(extension)
        return browser if await self.is_registered(browser) else extension

    def live_calls(self) -> list[LiveCall]:
        return self.pipeline.tracker.snapshot()

    async def _resync(self, ami: AmiConnection) -> None:
        """After each (re)connect: rebuild live state from CoreShowChannels, emit what was missed."""
        channels = await ami.list_action("CoreShowChannels")
        missed = self.pipeline.tracker.resync(
            channels, now=datetime.now(UTC), call_id_for=self.pipeline.normalizer.call_id_for
        )
        self.pipeline.emit(missed)
        gone = self._calls_missing_from(channels)
        if gone:
            task = asyncio.create_task(self._conclude_gone())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        log.info(
            "AMI resync: %d channels, %d missed events, %d calls gone", len(channels), len(missed), len(gone)
        )

    def _calls_missing_from(self, channels: list[AmiMessage]) -> list[str]:
        live_ids = {self.pipeline.normalizer.call_id_for(c.get("Linkedid", "")) for c in channels}
        return [call_id for call_id in self.pipeline.tracker.calls if call_id not in live_ids]

    async def _conclude_gone(self) -> None:
        """End the calls still absent after a grace period (their Hangup was lost with the connection)."""
        await asyncio.sleep(GONE_GRACE_SECONDS)
        try:
            channels = await self.ami.list_action("CoreShowChannels")
        except AmiError:
            return  # disconnected again: the next session resyncs
        for call_id in self._calls_missing_from(channels):
            call = self.pipeline.tracker.calls[call_id]
            dial_result = await self._stored_dial_result(call_id)
            events: list[CallEvent] = [dial_result] if dial_result is not None else []
            events.append(_missed_hangup(call))
            self.pipeline.inject(events)

    async def _stored_dial_result(self, call_id: str) -> DialResult | None:
        try:
            rows = await self.ami.list_action("DBGet", [("Family", DIAL_RESULT_DB_FAMILY), ("Key", call_id)])
        except AmiError:
            return None
        value = rows[0].get("Val", "") if rows else ""
        status, _, rest = value.partition(",")
        cause, _, answered = rest.partition(",")
        if not status:
            return None
        return DialResult(
            call_id=call_id,
            at=datetime.now(UTC),
            resynced=True,
            dial_status=status,
            cause=int(cause) if cause.isdigit() else None,
            answered_seconds=int(answered) if answered.isdigit() else None,
        )


def _missed_hangup(call: LiveCall) -> HungUp:
    return HungUp(
        call_id=call.call_id,
        at=datetime.now(UTC),
        resynced=True,
        channel=call.agent_channel or "",
        leg=Leg.agent,
        cause=None,
        cause_text=None,
    )
