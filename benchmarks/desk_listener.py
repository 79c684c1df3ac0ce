"""A lean desk client for benchmarks: one websocket as an asyncio protocol that stamps each frame with the
moment its last bytes were read from the socket, and leaves the decoding for later.

199 of them share one benchmark process. Built on a full websocket client library, each frame costs that
process a task wake-up, a UTF-8 decode and a JSON parse before the next socket is read, so the clients'
own queue showed up in the measured latency (about 50 ms at p50 with 50 live calls on 2 cores). A desk on
its own computer has no such queue. Here a frame costs a header parse and a list append when it arrives.
"""

import asyncio
import base64
import json
import os
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


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One masked frame, as RFC 6455 asks of a client."""
    mask = os.urandom(4)
    if len(payload) < SHORT_LENGTH:
        header = struct.pack("!BB", FIN | opcode, MASKED | len(payload))
    else:
        header = struct.pack("!BBH", FIN | opcode, MASKED | SHORT_LENGTH, len(payload))
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    return header + mask + masked


class DeskListener(asyncio.Protocol):
    """Connects to a `/ws?...` URL; keeps (arrival, payload) of every text frame the server sends."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.subscribed = asyncio.Event()
        self.closed_by_server = False
        self.frames: list[tuple[float, bytes]] = []
        self._buffer = bytearray()
        self._upgraded = False
        self._closing = False
        self._transport: asyncio.Transport | None = None
        self._decoded = 0
        self._calls: list[tuple[float, str, dict[str, Any]]] = []

    async def connect(self) -> None:
        parts = urlsplit(self.url)
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: self, parts.hostname, parts.port)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self._write(request.encode())

    def send_text(self, text: str) -> None:
        self._write(client_frame(TEXT, text.encode()))

    def close(self) -> None:
        self._closing = True
        if self._transport is not None:
            self._transport.close()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        self._buffer += data
        if not self._upgraded and not self._upgrade():
            return
        self._take_frames(arrived)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed_by_server = self.closed_by_server or not self._closing

    # Frames.

    def _upgrade(self) -> bool:
        end = self._buffer.find(HANDSHAKE_END)
        if end < 0:
            return False
        status = bytes(self._buffer[: self._buffer.find(b"\r\n")])
        if b" 101 " not in status:
            raise ConnectionError(f"websocket refused: {status.decode(errors='replace')}")
        del self._buffer[: end + len(HANDSHAKE_END)]
        self._upgraded = True
        return True

    def _take_frames(self, arrived: float) -> None:
        while (frame := self._next_frame()) is not None:
            opcode, payload = frame
            if opcode == TEXT:
                self.frames.append((arrived, payload))
                if not self.subscribed.is_set() and SNAPSHOT_MARK in payload:
                    self.subscribed.set()
            elif opcode == PING:
                self._write(client_frame(PONG, payload))
            elif opcode == CLOSE:
                self.closed_by_server = True
                self.close()
                return

    def _next_frame(self) -> tuple[int, bytes] | None:
        """The next whole frame in the buffer (servers send unfragmented, unmasked frames), or None."""
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        opcode, length, start = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
        if length == SHORT_LENGTH:
            if len(buffer) < 4:
                return None
            length, start = struct.unpack_from("!H", buffer, 2)[0], 4
        elif length == LONG_LENGTH:
            if len(buffer) < 10:
                return None
            length, start = struct.unpack_from("!Q", buffer, 2)[0], 10
        if len(buffer) < start + length:
            return None
        payload = bytes(buffer[start : start + length])
        del buffer[: start + length]
        return opcode, payload

    def _write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    # Reading what arrived (after the fact).

    def call_updates(self) -> list[tuple[float, str, dict[str, Any]]]:
        """(arrival, call id, data) of every `calls` event so far, batches unpacked, in order."""
        for arrived, payload in self.frames[self._decoded :]:
            self._calls.extend((arrived, *update) for update in _call_events(payload.decode()))
        self._decoded = len(self.frames)
        return self._calls

    def count(self, call_ids: set[str]) -> int:
        return sum(1 for _, call_id, _ in self.call_updates() if call_id in call_ids)


def _call_events(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    envelopes = json.loads(text)["data"] if text.startswith(BATCH_PREFIX) else [json.loads(text)]
    for envelope in envelopes:
        if envelope.get("type") == "event" and envelope.get("topic") == "calls":
            yield envelope["data"]["call_id"], envelope["data"]
