"""A small blocking AMI session for the real-Asterisk tests: send actions, collect every event."""

import contextlib
import itertools
import socket
import threading
from collections.abc import Callable
from types import TracebackType

from telephony.ami_probe import AmiAddress
from tests.polling import poll_until

Message = dict[str, str]


class RawAmiSession:
    """Logs in, reads all events on a thread, and lets tests poll them with a deadline."""

    def __init__(self, address: AmiAddress) -> None:
        self.address = address
        self.events: list[Message] = []
        self._responses: dict[str, Message] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._sock = socket.create_connection((address.host, address.port), timeout=5)
        self._sock.settimeout(None)  # a quiet line is not a dead one: the reader waits for the next event
        self._reader = self._sock.makefile("r", encoding="utf-8", errors="replace", newline="\r\n")
        self._reader.readline()  # banner
        self._thread = threading.Thread(target=self._read_loop, name="raw-ami", daemon=True)
        self._thread.start()
        response = self.action("Login", Username=address.username, Secret=address.secret)
        assert response.get("Response") == "Success", response

    def __enter__(self) -> "RawAmiSession":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._send("Logoff", [])
        self._sock.close()

    def action(self, name: str, *, variables: dict[str, str] | None = None, **headers: str) -> Message:
        """Send an action and wait for its response."""
        action_id = f"t{next(self._ids)}"
        lines = [("ActionID", action_id), *headers.items()]
        lines += [("Variable", f"{key}={value}") for key, value in (variables or {}).items()]
        self._send(name, lines)
        return self.wait_for(lambda: self._responses.get(action_id), timeout=10)

    def matching(self, predicate: Callable[[Message], bool]) -> list[Message]:
        with self._lock:
            return [event for event in self.events if predicate(event)]

    def wait_event(self, predicate: Callable[[Message], bool], *, timeout: float) -> Message:
        """The first collected event satisfying `predicate`, polling until the deadline."""
        return self.wait_for(lambda: next(iter(self.matching(predicate)), None), timeout=timeout)

    def wait_for(self, probe: Callable[[], Message | None], *, timeout: float) -> Message:
        return poll_until(probe, timeout=timeout, what="AMI condition not met before the deadline")

    def _send(self, name: str, headers: list[tuple[str, str]]) -> None:
        text = f"Action: {name}\r\n" + "".join(f"{key}: {value}\r\n" for key, value in headers) + "\r\n"
        self._sock.sendall(text.encode())

    def _read_loop(self) -> None:
        message: Message = {}
        try:
            for line in self._reader:
                line = line.rstrip("\r\n")
                if line:
                    key, _, value = line.partition(":")
                    message.setdefault(key.strip(), value.strip())
                    continue
                self._store(message)
                message = {}
        except (OSError, ValueError):
            return

    def _store(self, message: Message) -> None:
        with self._lock:
            if "Event" in message:
                self.events.append(message)
            elif "ActionID" in message:
                self._responses[message["ActionID"]] = message
