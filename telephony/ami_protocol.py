"""The AMI wire format: frames split from the TCP byte stream, cheap event-name peeking, parsing, encoding.

Frames are `Key: Value` lines ended by CRLF, one blank line after each frame; the very first line of a
session is the banner `Asterisk Call Manager/x.y.z` with no blank line after it.
"""

import asyncio
from collections.abc import Callable, Iterable
from typing import cast

AmiMessage = dict[str, str]

FRAME_END = b"\r\n\r\n"
EVENT_PREFIX = b"Event: "
RESPONSE_PREFIX = b"Response: "


def event_name(frame: bytes) -> bytes | None:
    """The event name of FRAME without parsing it, or None for a response or anything else."""
    if not frame.startswith(EVENT_PREFIX):
        return None
    end = frame.find(b"\r\n")
    return frame[7:] if end < 0 else frame[7:end]


def parse_frame(frame: bytes) -> AmiMessage:
    """Decode one frame into a dict; a key seen twice keeps every value, joined by newlines."""
    message: AmiMessage = {}
    for line in frame.decode("utf-8", "replace").split("\r\n"):
        key, separator, value = line.partition(": ")
        if not separator:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
        if key in message:
            message[key] = f"{message[key]}\n{value}"
        else:
            message[key] = value
    return message


def encode_action(name: str, headers: Iterable[tuple[str, str]], action_id: str) -> bytes:
    """One action frame; headers may repeat (several `Variable:` lines)."""
    lines = [f"Action: {name}", f"ActionID: {action_id}"]
    lines.extend(f"{key}: {_single_line(value)}" for key, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _single_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"AMI header values are single lines: {value!r}")
    return value


class FrameSplitter:
    """Accumulates bytes and returns the complete frames they finish."""

    def __init__(self) -> None:
        self._buffer = b""
        self.banner: str | None = None

    def feed(self, data: bytes) -> list[bytes]:
        buffer = self._buffer + data if self._buffer else data
        if self.banner is None:
            end = buffer.find(b"\r\n")
            if end < 0:
                self._buffer = buffer
                return []
            self.banner = buffer[:end].decode("utf-8", "replace")
            buffer = buffer[end + 2 :]
        frames = buffer.split(FRAME_END)
        self._buffer = frames.pop()
        return frames


class AmiStreamProtocol(asyncio.Protocol):
    """asyncio transport glue: hands each batch of frames to ON_FRAMES, reports the connection's end."""

    def __init__(
        self,
        *,
        on_frames: Callable[[list[bytes]], None],
        on_lost: Callable[[Exception | None], None],
    ) -> None:
        self._splitter = FrameSplitter()
        self._on_frames = on_frames
        self._on_lost = on_lost
        self.banner_seen: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCP transport (uvicorn's default loop) is no asyncio.Transport subclass, same interface.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        frames = self._splitter.feed(data)
        if self._splitter.banner is not None and not self.banner_seen.done():
            self.banner_seen.set_result(self._splitter.banner)
        if frames:
            self._on_frames(frames)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.banner_seen.done():
            self.banner_seen.set_exception(ConnectionResetError("AMI closed before its banner"))
        self._on_lost(exc)
