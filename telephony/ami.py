"""The one owner of the AMI connection: login, event filters, actions, keepalive and a reconnect loop.

Other code never opens AMI itself. After every (re)connect the `on_connected` hook runs before the
connection counts as up, so the live call state can be rebuilt (CoreShowChannels) and nothing is missed.
The reader is our own asyncio protocol, not the asterisk-ami package: that package's reader thread dies
on a socket timeout without marking the client finished, after which its AutoReconnect never opens a new
connection (benchmarks/asterisk_ami_stall.py reproduces it); it is also thread-based, parses every event
before any filter can drop it, and never fails pending actions when the connection drops.
"""

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from telephony.ami_protocol import (
    RESPONSE_PREFIX,
    AmiMessage,
    AmiStreamProtocol,
    encode_action,
    event_name,
    parse_frame,
)

log = logging.getLogger(__name__)

Headers = Iterable[tuple[str, str]]
EventsHandler = Callable[[list[AmiMessage]], None]
ConnectedHook = Callable[["AmiConnection"], Awaitable[None]]

RECONNECT_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)


class AmiError(Exception):
    """AMI refused an action or could not be reached."""


class AmiNotConnected(AmiError):
    """No AMI session is up (Asterisk down, or between reconnect attempts)."""


class AmiActionFailed(AmiError):
    """Asterisk answered `Response: Error`."""

    def __init__(self, action: str, response: AmiMessage) -> None:
        super().__init__(f"{action}: {response.get('Message', 'error')}")
        self.response = response


@dataclass(frozen=True, slots=True)
class AmiSettings:
    host: str
    port: int
    username: str
    secret: str
    # Event classes asked for at login (Newexten/VarSet are class `dialplan` and never get sent).
    event_classes: str = "call,user,system"
    wanted_events: frozenset[str] = frozenset()
    ping_interval: float = 5.0
    action_timeout: float = 10.0
    connect_timeout: float = 5.0


@dataclass(slots=True)
class AmiStats:
    frames: int = 0
    events_passed: int = 0
    events_dropped: int = 0
    connects: int = 0


@dataclass(slots=True)
class _PendingAction:
    future: asyncio.Future[list[AmiMessage]]
    is_list: bool
    collected: list[AmiMessage] = field(default_factory=list)


class AmiConnection:
    """Holds the AMI session; `run()` keeps it up until `close()`."""

    def __init__(
        self,
        settings: AmiSettings,
        *,
        on_events: EventsHandler,
        on_connected: ConnectedHook | None = None,
    ) -> None:
        self.settings = settings
        self.stats = AmiStats()
        self._wanted = frozenset(name.encode() for name in settings.wanted_events)
        self._on_events = on_events
        self._on_connected = on_connected
        self._action_ids = itertools.count(1)
        self._pending: dict[str, _PendingAction] = {}
        self._protocol: AmiStreamProtocol | None = None
        self._lost: asyncio.Event = asyncio.Event()
        self._up: asyncio.Event = asyncio.Event()
        self._closing = False
        self._heard_since_ping = True

    @property
    def is_up(self) -> bool:
        return self._up.is_set()

    async def wait_up(self, timeout: float) -> None:
        await asyncio.wait_for(self._up.wait(), timeout)

    async def run(self) -> None:
        """Connect, and reconnect after every loss, until close()."""
        failures = 0
        while not self._closing:
            connects_before = self.stats.connects
            try:
                await self._session()
            except (OSError, AmiError, TimeoutError) as error:
                if not self._closing:
                    log.warning("AMI %s:%s: %s", self.settings.host, self.settings.port, error)
            finally:
                self._drop_session()
            if self._closing:
                break
            if self.stats.connects != connects_before:
                failures = 0
            await asyncio.sleep(RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)])
            failures += 1

    def close(self) -> None:
        """Stop for good: the current session ends and run() returns."""
        self._closing = True
        self.abort()

    def abort(self) -> None:
        """Drop the current TCP session (run() reconnects unless closing)."""
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.abort()

    async def action(self, name: str, headers: Headers = (), *, timeout: float | None = None) -> AmiMessage:
        """Send one action and return its response; `Response: Error` raises AmiActionFailed."""
        messages = await self._send(name, headers, is_list=False, timeout=timeout)
        return messages[0]

    async def list_action(
        self, name: str, headers: Headers = (), *, timeout: float | None = None
    ) -> list[AmiMessage]:
        """Send an action answered by an event list; return the listed events (without the Complete)."""
        return await self._send(name, headers, is_list=True, timeout=timeout)

    async def _send(
        self, name: str, headers: Headers, *, is_list: bool, timeout: float | None
    ) -> list[AmiMessage]:
        protocol = self._protocol
        if protocol is None or protocol.transport is None or protocol.transport.is_closing():
            raise AmiNotConnected(f"AMI is not connected ({name})")
        action_id = f"songda-{next(self._action_ids)}"
        pending = _PendingAction(asyncio.get_running_loop().create_future(), is_list)
        self._pending[action_id] = pending
        protocol.transport.write(encode_action(name, headers, action_id))
        try:
            return await asyncio.wait_for(pending.future, timeout or self.settings.action_timeout)
        finally:
            self._pending.pop(action_id, None)

    async def _session(self) -> None:
        self._lost = asyncio.Event()
        loop = asyncio.get_running_loop()
        _, protocol = await asyncio.wait_for(
            loop.create_connection(
                lambda: AmiStreamProtocol(on_frames=self._on_frames, on_lost=self._on_lost),
                self.settings.host,
                self.settings.port,
            ),
            self.settings.connect_timeout,
        )
        self._protocol = protocol
        if self._closing:  # close() came while connecting, when there was no session to abort
            raise AmiNotConnected("AMI connection closed")
        self._heard_since_ping = True
        banner = await asyncio.wait_for(protocol.banner_seen, self.settings.connect_timeout)
        await self._login()
        await self._install_filters()
        self.stats.connects += 1
        log.info("AMI session %d up (%s)", self.stats.connects, banner)
        if self._on_connected is not None:
            await self._on_connected(self)
        self._up.set()
        await self._keepalive()

    async def _login(self) -> None:
        await self.action(
            "Login",
            [
                ("Username", self.settings.username),
                ("Secret", self.settings.secret),
                ("Events", self.settings.event_classes),
            ],
        )

    async def _install_filters(self) -> None:
        """Ask Asterisk to send only the events we use (needs AMI `system` write permission)."""
        for name in sorted(self.settings.wanted_events):
            try:
                await self.action(
                    "Filter",
                    [
                        ("Operation", "Add"),
                        ("MatchCriteria", f"action(include),name({name})"),
                        ("Filter", ""),
                    ],
                )
            except AmiActionFailed as error:
                log.warning("AMI filter for %s refused (%s); filtering client-side only", name, error)
                return

    async def _keepalive(self) -> None:
        """Ping when the line has been quiet; a missing Pong drops the session (half-open TCP)."""
        interval = self.settings.ping_interval
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), interval)
            if self._lost.is_set():
                break
            if not self._heard_since_ping:
                await self.action("Ping", timeout=interval)
            self._heard_since_ping = False
        raise AmiNotConnected("AMI connection lost")

    def _on_frames(self, frames: list[bytes]) -> None:
        self._heard_since_ping = True
        self.stats.frames += len(frames)
        wanted = self._wanted
        events: list[AmiMessage] = []
        for frame in frames:
            name = event_name(frame)
            if name is None:
                if frame.startswith(RESPONSE_PREFIX):
                    self._on_response(parse_frame(frame))
            elif self._pending and b"\r\nActionID: songda-" in frame and self._on_list_item(frame):
                continue
            elif not wanted or name in wanted:
                events.append(parse_frame(frame))
            else:
                self.stats.events_dropped += 1
        if events:
            self.stats.events_passed += len(events)
            self._on_events(events)

    def _on_response(self, response: AmiMessage) -> None:
        pending = self._pending.get(response.get("ActionID", ""))
        if pending is None or pending.future.done():
            return
        if response.get("Response") == "Error":
            pending.future.set_exception(AmiActionFailed(response.get("ActionID", ""), response))
        elif not pending.is_list or response.get("EventList") != "start":
            pending.future.set_result([response])

    def _on_list_item(self, frame: bytes) -> bool:
        """Collect FRAME if it belongs to a pending list action; False leaves it to normal handling."""
        event = parse_frame(frame)
        pending = self._pending.get(event.get("ActionID", ""))
        if pending is None or not pending.is_list or pending.future.done():
            return False
        if event.get("EventList") == "Complete":
            pending.future.set_result(pending.collected)
        else:
            pending.collected.append(event)
        return True

    def _on_lost(self, exc: Exception | None) -> None:
        self._up.clear()
        self._lost.set()
        error = AmiNotConnected(f"AMI connection lost: {exc}" if exc else "AMI connection closed")
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(error)

    def _drop_session(self) -> None:
        self._up.clear()
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.abort()
        self._protocol = None
