"""A websocket client for tests: wait for a message matching a condition, with a deadline.

Waiting sends a ping and reads up to its pong, again and again, so a missing message fails the test at
the deadline instead of blocking it forever; messages that do not match are kept for later waits. A `batch`
frame (PROTOCOL.md) is read as the messages it carries, in order. `desk_socket` connects and logs in
with the first message, as every desk does; `auth_message` is that message for other websocket clients."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.testclient import TestClient, WebSocketTestSession

from tests.polling import poll_until

Message = dict[str, Any]
POLL_INTERVAL = 0.02


def auth_message(token: str, *topics: str, batch: bool = False) -> str:
    """The first message of a desk socket (PROTOCOL.md, Connecting)."""
    return json.dumps({"type": "auth", "data": {"token": token, "topics": list(topics), "batch": batch}})


@contextmanager
def desk_socket(
    client: TestClient, token: str, *topics: str, batch: bool = False
) -> Iterator[WebSocketTestSession]:
    """`/ws`, logged in with TOKEN and subscribed to TOPICS by its first message."""
    with client.websocket_connect("/ws") as ws:
        ws.send_text(auth_message(token, *topics, batch=batch))
        yield ws


class LiveSocket:
    def __init__(self, ws: WebSocketTestSession) -> None:
        self.ws = ws
        self.kept: list[Message] = []
        self.frame_sizes: list[int] = []  # messages per frame received (more than 1: a batch)

    def subscribe(self, *topics: str) -> None:
        self.ws.send_json({"type": "subscribe", "data": {"topics": list(topics)}})

    def wait_for(self, matches: Callable[[Message], bool], *, timeout: float = 5.0) -> Message:
        def take() -> Message | None:
            found = next((message for message in self.kept if matches(message)), None)
            if found is not None:
                self.kept.remove(found)
            return found

        def probe() -> Message | None:
            found = take()
            if found is None:
                self.ws.send_json({"type": "ping"})
                self._read_to_pong()
                found = take()
            return found

        return poll_until(
            probe,
            timeout=timeout,
            what=lambda: f"no matching message; got {self.kept}",
            interval=POLL_INTERVAL,
        )

    def _read_to_pong(self) -> None:
        while True:
            frame = self.ws.receive_json()
            messages = frame["data"] if frame["type"] == "batch" else [frame]
            self.frame_sizes.append(len(messages))
            for message in messages:
                if message["type"] == "pong":
                    return
                self.kept.append(message)

    def snapshot(self, topic: str) -> Any:
        return self.wait_for(lambda m: m["type"] == "snapshot" and m["topic"] == topic)["data"]

    def event(
        self, topic: str, matches: Callable[[Any], bool] = lambda data: True, *, timeout: float = 5.0
    ) -> Message:
        return self.wait_for(
            lambda m: m["type"] == "event" and m["topic"] == topic and matches(m["data"]), timeout=timeout
        )
