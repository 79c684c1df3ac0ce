"""Lean desk clients for benchmarks, in a process of their own that does nothing but read their sockets.

Each client is one websocket on a bare non-blocking socket. It reads a frame up to its last byte and no
further, and stamps the frame twice: with the kernel's receive time of the segment that carried that last
byte (SO_TIMESTAMPNS), and with the moment the process read it. The frames are decoded after the run.

Why so: the benchmark measures when an update reaches 200 desks, which in production sit on 200 computers.
Here 199 of them share one process on a 2-core machine that also runs Asterisk, the phones, Chromium and the
server. Stamped when read, the update also carried that process's own waits: in one run a single garbage
collection of the benchmark's process (423 ms, with the run's results in its heap) was the worst update of
the run, and stretches with no CPU free for the process added 100 ms more. The kernel's receive time is
when the bytes reached the desk's machine, whatever the reading process was doing; the read time is still
reported beside it.
"""

import asyncio
import base64
import gc
import json
import multiprocessing
import os
import socket
import struct
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
FIN = 0x80
MASKED = 0x80
SHORT_LENGTH, LONG_LENGTH = 126, 127
SNAPSHOT_MARK = b'"type":"snapshot"'
BATCH_PREFIX = '{"type":"batch"'
HANDSHAKE_END = b"\r\n\r\n"
HEADER_READ = 4  # a server frame's header with a 16-bit length; JSON payloads are never shorter than 2
HANDSHAKE_READ = 4096
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; the module does not name it
TIMESPEC = struct.Struct("qq")
ANCILLARY_SPACE = socket.CMSG_SPACE(TIMESPEC.size)

# One update of a call as a client got it: (kernel receive time, read time, call id, call data).
CallUpdate = tuple[float, float, str, dict[str, Any]]


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One masked frame, as RFC 6455 asks of a client."""
    mask = os.urandom(4)
    if len(payload) < SHORT_LENGTH:
        header = struct.pack("!BB", FIN | opcode, MASKED | len(payload))
    else:
        header = struct.pack("!BBH", FIN | opcode, MASKED | SHORT_LENGTH, len(payload))
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    return header + mask + masked


def header_size(buffer: bytes | bytearray) -> int:
    """How long the header of the frame at the start of BUFFER is (HEADER_READ while unknown)."""
    if len(buffer) < 2:
        return HEADER_READ
    return {SHORT_LENGTH: 4, LONG_LENGTH: 10}.get(buffer[1] & 0x7F, 2)


def frame_bounds(buffer: bytes | bytearray) -> tuple[int, int] | None:
    """(payload start, end) of the frame at the start of BUFFER (servers send unmasked frames), or None
    while its header is incomplete."""
    start = header_size(buffer)
    if len(buffer) < max(2, start):
        return None
    extended = {4: "!H", 10: "!Q"}.get(start)
    length = struct.unpack_from(extended, buffer, 2)[0] if extended else buffer[1] & 0x7F
    return start, start + length


def desk_login(token: str, *topics: str) -> str:
    """The first message of a desk socket, as the desk sends it (PROTOCOL.md: the token, topics, batches)."""
    return json.dumps({"type": "auth", "data": {"token": token, "topics": list(topics), "batch": True}})


class DeskListener:
    """Connects to the `/ws` URL and logs in with LOGIN (its first message, `desk_login`); keeps (kernel
    time, read time, payload) of every text frame."""

    def __init__(self, url: str, login: str) -> None:
        self.url = url
        self.login = login
        self.subscribed = asyncio.Event()
        self.closed_by_server = False
        self.frames: list[tuple[float, float, bytes]] = []
        self._buffer = bytearray()
        self._outgoing = bytearray()
        self._upgraded = False
        self._closing = False
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._decoded = 0
        self._calls: list[CallUpdate] = []

    async def connect(self) -> None:
        parts = urlsplit(self.url)
        self._loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await self._loop.sock_connect(sock, (parts.hostname, parts.port))
        self._sock = sock
        self._loop.add_reader(sock.fileno(), self._readable)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self._write(request.encode())

    def send_text(self, text: str) -> None:
        self._write(client_frame(TEXT, text.encode()))

    def close(self) -> None:
        self._closing = True
        if self._sock is not None and self._loop is not None:
            self._loop.remove_reader(self._sock.fileno())
            self._loop.remove_writer(self._sock.fileno())
            self._sock.close()
            self._sock = None

    # Reading.

    def _readable(self) -> None:
        if self._sock is None:
            return
        try:
            data, ancillary, _flags, _address = self._sock.recvmsg(self._wanted(), ANCILLARY_SPACE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, ancillary = b"", []
        read = time.time()
        if not data:
            self.closed_by_server = self.closed_by_server or not self._closing
            self.close()
            return
        self._buffer += data
        if not self._upgraded and not self._upgrade():
            return
        self._take_frames(_kernel_time(ancillary, read), read)

    def _wanted(self) -> int:
        """Read up to the end of the frame being received and no further, so that the kernel's time
        belongs to its last byte."""
        if not self._upgraded:
            return HANDSHAKE_READ
        bounds = frame_bounds(self._buffer)
        if bounds is None:
            return header_size(self._buffer) - len(self._buffer)
        return max(1, bounds[1] - len(self._buffer))

    def _upgrade(self) -> bool:
        end = self._buffer.find(HANDSHAKE_END)
        if end < 0:
            return False
        status = bytes(self._buffer[: self._buffer.find(b"\r\n")])
        if b" 101 " not in status:
            raise ConnectionError(f"websocket refused: {status.decode(errors='replace')}")
        del self._buffer[: end + len(HANDSHAKE_END)]
        self._upgraded = True
        self.send_text(self.login)
        return True

    def _take_frames(self, arrived: float, read: float) -> None:
        while (bounds := frame_bounds(self._buffer)) is not None and len(self._buffer) >= bounds[1]:
            start, end = bounds
            opcode, payload = self._buffer[0] & 0x0F, bytes(self._buffer[start:end])
            del self._buffer[:end]
            if opcode == TEXT:
                self.frames.append((arrived, read, payload))
                if not self.subscribed.is_set() and SNAPSHOT_MARK in payload:
                    self.subscribed.set()
            elif opcode == PING:
                self._write(client_frame(PONG, payload))
            elif opcode == CLOSE:
                self.closed_by_server = True
                self.close()
                return

    # Writing (pings, pongs and the handshake: small, but a full send buffer must not lose them).

    def _write(self, data: bytes) -> None:
        if self._sock is None:
            return
        self._outgoing += data
        self._flush()

    def _flush(self) -> None:
        if self._sock is None or self._loop is None:
            return
        try:
            sent = self._sock.send(self._outgoing)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self.close()
            return
        del self._outgoing[:sent]
        if self._outgoing:
            self._loop.add_writer(self._sock.fileno(), self._flush)
        else:
            self._loop.remove_writer(self._sock.fileno())

    # Reading what arrived (after the fact).

    def call_updates(self) -> list[CallUpdate]:
        """Every `calls` event so far, batches unpacked, in order."""
        for arrived, read, payload in self.frames[self._decoded :]:
            self._calls.extend((arrived, read, *update) for update in _call_events(payload.decode()))
        self._decoded = len(self.frames)
        return self._calls

    def count(self, call_ids: set[str]) -> int:
        return sum(1 for update in self.call_updates() if update[2] in call_ids)


def _kernel_time(ancillary: list[tuple[int, int, bytes]], fallback: float) -> float:
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= TIMESPEC.size:
            seconds, nanoseconds = TIMESPEC.unpack_from(data)
            return seconds + nanoseconds / 1e9
    return fallback


def _call_events(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    envelopes = json.loads(text)["data"] if text.startswith(BATCH_PREFIX) else [json.loads(text)]
    for envelope in envelopes:
        if envelope.get("type") == "event" and envelope.get("topic") == "calls":
            yield envelope["data"]["call_id"], envelope["data"]


# The clients' own process.


class ListenerProcess:
    """The clients in a process of their own, driven from the benchmark over a pipe."""

    def __init__(self, url: str, logins: list[str], ping_seconds: float) -> None:
        """One client per LOGIN (`desk_login`), each to URL."""
        spawn = multiprocessing.get_context("spawn")
        self._pipe, child_end = spawn.Pipe()
        self.process = spawn.Process(target=_serve, args=(child_end, url, logins, ping_seconds), daemon=True)

    def start(self, timeout: float) -> int:
        """Start the process; returns once every client got its snapshot (its pid)."""
        self.process.start()
        self._expect("subscribed", timeout)
        return self.process.pid or 0

    def behind(self, call_ids: set[str], expected: int) -> int:
        """How many clients have fewer than EXPECTED updates of CALL_IDS so far."""
        self._pipe.send(("behind", call_ids, expected))
        return int(self._expect("behind", 60))

    def finish(self) -> tuple[list[list[CallUpdate]], int]:
        """Close the clients; (every client's call updates, how many the server had closed)."""
        self._pipe.send(("finish",))
        updates, closed = self._expect("finished", 120)
        self.process.join(30)
        return updates, closed

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)

    def _expect(self, kind: str, timeout: float) -> Any:
        if not self._pipe.poll(timeout):
            raise SystemExit(f"the desk clients' process did not answer ({kind}) within {timeout:.0f} s")
        got, value = self._pipe.recv()
        if got == "failed":
            raise SystemExit(f"the desk clients' process failed: {value}")
        return value


def _serve(pipe: Any, url: str, logins: list[str], ping_seconds: float) -> None:
    """The clients' process: no garbage collection (its run's frames are not garbage), no other work."""
    gc.disable()
    try:
        asyncio.run(_listen(pipe, url, logins, ping_seconds))
    except Exception as error:  # reported to the benchmark, which stops
        pipe.send(("failed", repr(error)))


async def _listen(pipe: Any, url: str, logins: list[str], ping_seconds: float) -> None:
    listeners = [DeskListener(url, login) for login in logins]
    await asyncio.gather(*(listener.connect() for listener in listeners))
    await asyncio.wait_for(asyncio.gather(*(listener.subscribed.wait() for listener in listeners)), 120)
    pipe.send(("subscribed", None))
    keepalive = asyncio.create_task(_ping_every(listeners, ping_seconds))
    finished = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_reader(pipe.fileno(), _on_command, pipe, listeners, finished)
    await finished
    keepalive.cancel()


def _on_command(pipe: Any, listeners: list[DeskListener], finished: asyncio.Future[None]) -> None:
    command = pipe.recv()
    if command[0] == "behind":
        _, call_ids, expected = command
        pipe.send(("behind", sum(1 for listener in listeners if listener.count(call_ids) < expected)))
    elif command[0] == "finish":
        closed = sum(listener.closed_by_server for listener in listeners)
        updates = [listener.call_updates() for listener in listeners]
        for listener in listeners:
            listener.close()
        pipe.send(("finished", (updates, closed)))
        asyncio.get_running_loop().remove_reader(pipe.fileno())
        finished.set_result(None)


async def _ping_every(listeners: list[DeskListener], seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        for listener in listeners:
            listener.send_text('{"type":"ping"}')
