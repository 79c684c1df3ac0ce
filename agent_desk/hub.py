"""The hub of one API process: fans call events and desk messages (desk stream) out to the websocket clients
connected to this process, builds topic snapshots, and runs the socket timers (token re-checks, idle
close, queue/figure refreshes); the desk's sweeps are a periodic job (backend/desk/schedule.py). All
database work runs in worker threads.

Call events come from the call-event stream, or, in the process that owns call control, from its event
pipeline as they are accepted: then they are written to the clients' sockets in the AMI reader's own
callback, without waiting behind other tasks. Each call's events are handled in order. A call Songda
placed names its owner (agent, delivery, attempt) in its CallOriginated. Any other call whose owner is not
known yet waits for a database lookup, on threads of the hub's own (a burst of calls keeps the shared
ones busy), and only that call's events wait with it."""

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from agent_desk import db_work
from agent_desk.clients import CloseCode, DeskClient, Outgoing, dumps
from agent_desk.topics import TopicSnapshots
from backend.config import Settings
from backend.core.streams import Stream, follow
from backend.database import utcnow
from backend.desk.live_calls import CallOwner, LiveCallBoard, announced_owner
from backend.desk.messages import AgentChanged, DeskMessage, FiguresChanged, QueueChanged, TaskChanged
from telephony.events import AgentAnswered, CallEnded, CallEvent
from telephony.pipeline import EventPipeline

log = logging.getLogger(__name__)
OWNERS_REMEMBERED = 10_000
REFRESH_MIN_INTERVAL = 0.5  # seconds between two recomputations of the queue or the figures
TICK = 0.25
REFRESHED_TOPICS = ("queue", "figures")
OWNER_LOOKUP_THREADS = 2
DESK_TOPIC = "me"  # the agent desk subscribes to it (the wall does not)
PRESENCE_FIELDS = ("state", "state_label", "reason", "since", "wrap_up_until", "call_id")


class DeskHub:
    def __init__(
        self,
        *,
        settings: Settings,
        desk_stream: Stream[DeskMessage],
        call_stream: Stream[CallEvent] | None = None,
        call_pipeline: EventPipeline | None = None,
    ) -> None:
        """Call events from CALL_PIPELINE (this process owns call control), else from CALL_STREAM."""
        if (call_stream is None) == (call_pipeline is None):
            raise ValueError("a desk hub takes its call events from a stream or a pipeline, one of them")
        self.settings = settings
        self.call_stream, self.call_pipeline, self.desk_stream = call_stream, call_pipeline, desk_stream
        self.board = LiveCallBoard()
        self.snapshots = TopicSnapshots(self.board)
        self.clients: set[DeskClient] = set()
        self.outgoing = Outgoing()
        self._owners: OrderedDict[str, CallOwner | None] = OrderedDict()
        self._reactions: asyncio.Queue[CallEvent] = asyncio.Queue()
        self._awaiting_owner: dict[str, deque[CallEvent]] = {}  # per call, the events its lookup holds
        self._lookups: set[asyncio.Task[None]] = set()
        self._lookup_threads = ThreadPoolExecutor(OWNER_LOOKUP_THREADS, thread_name_prefix="desk-owner")
        self._stop_listening: Callable[[], None] | None = None
        self._dirty: set[str] = set()
        self._last_sent: dict[str, str] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._desk_checks: set[asyncio.Task[None]] = set()
        self._stopping = False  # sockets closed by a restart are not desks closed by their agents

    async def start(self) -> None:
        """Connect, subscribe to the events (returns once subscribed), start the timers."""
        calls_ready, desk_ready = asyncio.Event(), asyncio.Event()
        if self.call_pipeline is not None:
            self._stop_listening = self.call_pipeline.add_listener(self._take_call_events)
            calls_ready.set()
        elif self.call_stream is not None:
            self._spawn(self._consume_calls(self.call_stream, calls_ready))
        self._spawn(self._consume_desk(desk_ready), self._react_to_calls())
        self._spawn(
            self._every(TICK, self._tick),
            self._every(self.settings.desk_token_check_seconds, self._check_tokens),
            self._every(self.settings.desk_refresh_seconds, self._mark_refresh),
            self._every(self.settings.desk_presence_grace_seconds / 2, self._mark_desks_seen),
        )
        await asyncio.wait_for(asyncio.gather(calls_ready.wait(), desk_ready.wait()), timeout=10)

    async def stop(self) -> None:
        self._stopping = True
        if self._stop_listening is not None:
            self._stop_listening()
        for client in list(self.clients):
            client.close(CloseCode.GOING_AWAY, "服务重启")
        tasks = [*self._tasks, *self._lookups, *self._desk_checks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._lookup_threads.shutdown(wait=False, cancel_futures=True)

    def _spawn(self, *coroutines: Awaitable[None]) -> None:
        self._tasks.extend(asyncio.ensure_future(coroutine) for coroutine in coroutines)

    # Clients and subscriptions.

    def register(self, client: DeskClient) -> None:
        self.clients.add(client)

    def unregister(self, client: DeskClient) -> None:
        self.clients.discard(client)
        if not self._stopping and DESK_TOPIC in client.topics and not self._has_desk(client.user_id):
            check = asyncio.ensure_future(self._after_desk_closed(client.user_id, utcnow()))
            self._desk_checks.add(check)
            check.add_done_callback(self._desk_checks.discard)

    # Presence follows the desk's sockets: a desk is a client subscribed to `me`.

    def _has_desk(self, user_id: int) -> bool:
        return any(client.user_id == user_id and DESK_TOPIC in client.topics for client in self.clients)

    async def _mark_desks_seen(self) -> None:
        """Tell the other processes that this one still holds these agents' desks."""
        user_ids = {client.user_id for client in self.clients if DESK_TOPIC in client.topics}
        if user_ids:
            await asyncio.to_thread(db_work.mark_desks_seen, user_ids)

    async def _after_desk_closed(self, user_id: int, closed_at: datetime) -> None:
        """The agent's last desk here closed: after the grace (a reload comes back within it), they go
        offline unless a desk of theirs is open here or was seen by another process since."""
        await asyncio.sleep(self.settings.desk_presence_grace_seconds)
        if self._has_desk(user_id):
            return
        try:
            await asyncio.to_thread(db_work.desk_closed, user_id, closed_at)
        except Exception:
            log.exception("desk hub could not sign out the closed desk of user %s", user_id)

    async def subscribe(self, client: DeskClient, topics: Iterable[str]) -> None:
        """Subscribe CLIENT, then send a snapshot of each topic (events from now on follow it)."""
        for topic in topics:
            if topic not in client.allowed_topics:
                client.send({"type": "error", "data": {"message": f"无权订阅「{topic}」", "topic": topic}})
                continue
            client.topics.add(topic)
            if topic == DESK_TOPIC:
                await asyncio.to_thread(db_work.mark_desks_seen, {client.user_id})
            data = await asyncio.to_thread(self.snapshots.build, topic, client.user_id)
            client.send({"type": "snapshot", "topic": topic, "data": data})

    def _subscribers(self, topic: str, user_id: int | None = None) -> list[DeskClient]:
        return [
            client
            for client in self.clients
            if topic in client.topics and (user_id is None or client.user_id == user_id)
        ]

    def publish(self, topic: str, data: Any, *, user_id: int | None = None) -> int:
        """Send one event to this process's subscribers of TOPIC (only USER_ID's for `me`)."""
        recipients = self._subscribers(topic, user_id)
        if recipients:
            data_json = dumps(data)
            for client in recipients:
                client.send_event(topic, data_json)
        return len(recipients)

    # Call events.

    async def _consume_calls(self, stream: Stream[CallEvent], ready: asyncio.Event) -> None:
        await follow(stream, self._take_call_event, what="call events", subscribed=ready)

    async def _take_call_event(self, event: CallEvent) -> None:
        self._take_call_events([event])

    def _take_call_events(self, events: list[CallEvent]) -> None:
        """Handle each event now, unless its call waits for an owner lookup: then it waits too. A call
        placed by Songda names its owner in CallOriginated, and needs no lookup."""
        for event in events:
            waiting = self._awaiting_owner.get(event.call_id)
            if waiting is not None:
                waiting.append(event)
            elif event.call_id in self._owners:
                self._on_call_event(event, self._owners[event.call_id])
            elif (owner := announced_owner(event)) is not None:
                self._remember_owner(event.call_id, owner)
                self._on_call_event(event, owner)
            else:
                self._awaiting_owner[event.call_id] = deque([event])
                lookup = asyncio.ensure_future(self._look_up_owner(event.call_id))
                self._lookups.add(lookup)
                lookup.add_done_callback(self._lookups.discard)
        self.outgoing.flush()  # now, not after the other listeners of the AMI reader

    async def _look_up_owner(self, call_id: str) -> None:
        """Find CALL_ID's owner in the database, then handle the call's events that waited for it."""
        try:
            loop = asyncio.get_running_loop()
            owner = await loop.run_in_executor(self._lookup_threads, db_work.load_owner, call_id)
        except Exception:
            log.exception("desk hub could not look up the owner of call %s", call_id)
            owner = None
        if owner is not None:  # unknown calls are looked up again: their record may not be committed yet
            self._remember_owner(call_id, owner)
        for event in self._awaiting_owner.pop(call_id, deque()):
            self._on_call_event(event, owner)
        self.outgoing.flush()

    def _remember_owner(self, call_id: str, owner: CallOwner) -> None:
        self._owners[call_id] = owner
        while len(self._owners) > OWNERS_REMEMBERED:
            self._owners.popitem(last=False)

    def _on_call_event(self, event: CallEvent, owner: CallOwner | None) -> None:
        try:
            data = self.board.apply(event, owner)
        except Exception:
            log.exception("desk hub could not apply call event %s", event.kind)
            return
        if data is not None:
            self.publish("calls", data)
            if owner is not None:
                self.publish("me", {"kind": "call", "call": data}, user_id=owner.agent_user_id)
        if isinstance(event, AgentAnswered | CallEnded):
            self._reactions.put_nowait(event)
        if isinstance(event, CallEnded):
            self._dirty.add("figures")

    async def _react_to_calls(self) -> None:
        """Presence and task locks follow the calls, in event order, off the fan-out path."""
        while True:
            event = await self._reactions.get()
            try:
                await asyncio.to_thread(db_work.apply_call_event, event)
            except Exception:
                log.exception("desk hub could not apply call event %s to presence", event.kind)

    # Desk messages.

    async def _consume_desk(self, ready: asyncio.Event) -> None:
        await follow(self.desk_stream, self._on_desk_message, what="desk messages", subscribed=ready)

    async def _on_desk_message(self, message: DeskMessage) -> None:
        match message:
            case AgentChanged(user_id=user_id, agent=agent):
                self.publish("agents", agent)
                presence = {key: agent[key] for key in PRESENCE_FIELDS}
                self.publish("me", {"kind": "presence", "presence": presence}, user_id=user_id)
            case TaskChanged(user_id=user_id, task=task):
                self.publish("me", {"kind": "task", "task": task}, user_id=user_id)
            case QueueChanged():
                self._dirty.add("queue")
            case FiguresChanged():
                self._dirty.add("figures")

    # Timers.

    async def _every(self, seconds: float, action: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await action()
            except Exception:
                log.exception("desk hub timer %s failed", getattr(action, "__name__", action))

    async def _tick(self) -> None:
        self._close_idle()
        await self._refresh_dirty()

    def _close_idle(self) -> None:
        limit = time.monotonic() - self.settings.desk_ws_idle_seconds
        for client in list(self.clients):
            if client.last_heard < limit:
                client.close(CloseCode.IDLE, "长时间未收到心跳")

    async def _mark_refresh(self) -> None:
        self._dirty.update(REFRESHED_TOPICS)

    async def _refresh_dirty(self) -> None:
        """Recompute the queue or figures when something changed, push them when they differ."""
        for topic in REFRESHED_TOPICS:
            if topic not in self._dirty or not self._subscribers(topic):
                continue
            self._dirty.discard(topic)
            data = await asyncio.to_thread(self.snapshots.build, topic, None)
            fingerprint = dumps({k: v for k, v in data.items() if k != "generated_at"})
            if self._last_sent.get(topic) != fingerprint:
                self._last_sent[topic] = fingerprint
                self.publish(topic, data)
            await asyncio.sleep(REFRESH_MIN_INTERVAL)

    async def _check_tokens(self) -> None:
        """Close the sessions whose token was revoked or expired (4401)."""
        if not self.clients:
            return
        checked = list(self.clients)  # a client that registers while the check runs is left to the next one
        live = await asyncio.to_thread(db_work.live_tokens, {client.token_sha256 for client in checked})
        for client in checked:
            if client.token_sha256 not in live:
                client.close(CloseCode.TOKEN_INVALID, "登录已失效")
