"""A local TCP server speaking just enough AMI to replay captured Asterisk traffic (cf. panoramisk.testing).

It answers Login, Filter, Ping and list actions like Asterisk does, then streams the recorded event
frames. For parser tests and the ingest benchmark only: the real-Asterisk suite is what proves behaviour.
"""

import asyncio
import contextlib
from collections.abc import Iterable
from pathlib import Path

from telephony.ami_protocol import EVENT_PREFIX, FRAME_END, FrameSplitter, parse_frame

BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def recorded_event_frames(path: Path) -> list[bytes]:
    """The event frames of a capture (banner and responses to the capturing session left out)."""
    frames = FrameSplitter().feed(path.read_bytes())
    return [frame for frame in frames if frame.startswith(EVENT_PREFIX) and b"\r\nActionID: " not in frame]


def join_frames(frames: Iterable[bytes]) -> bytes:
    return b"".join(frame + FRAME_END for frame in frames)


class AmiReplayServer:
    """`async with AmiReplayServer(payload) as server:`, connect to server.port; PAYLOAD follows the login."""

    def __init__(self, payload: bytes, *, chunk_size: int = 1 << 16) -> None:
        self.payload = payload
        self.chunk_size = chunk_size
        self.port = 0
        self.sessions = 0
        self.actions: list[dict[str, str]] = []
        self.stalled = False  # when set, actions get no answer (a hung Asterisk, a half-open TCP path)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._streams: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> "AmiReplayServer":
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for task in self._streams:
            task.cancel()
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        """Drop every client connection at once (a reset, as when the network fails)."""
        for writer in list(self._writers):
            writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.sessions += 1
        self._writers.add(writer)
        writer.write(BANNER)
        splitter = FrameSplitter()
        splitter.banner = ""  # clients send no banner
        try:
            while chunk := await reader.read(65536):
                for frame in splitter.feed(chunk):
                    await self._answer(parse_frame(frame), writer)
        except ConnectionError:
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        self.actions.append(action)
        if self.stalled:
            return
        name, action_id = action.get("Action", ""), action.get("ActionID", "")
        if name == "CoreShowChannels":
            writer.write(_list_response(action_id, "CoreShowChannelsComplete"))
            return
        extra = "Ping: Pong\r\n" if name == "Ping" else ""
        writer.write(f"Response: Success\r\nActionID: {action_id}\r\n{extra}\r\n".encode())
        if name == "Login":
            task = asyncio.create_task(self._stream_payload(writer))
            self._streams.add(task)
            task.add_done_callback(self._streams.discard)

    async def _stream_payload(self, writer: asyncio.StreamWriter) -> None:
        """Write the payload in frame-aligned chunks, so responses can slip in between them."""
        with contextlib.suppress(ConnectionError):
            for chunk in frame_aligned_chunks(self.payload, self.chunk_size):
                writer.write(chunk)
                await writer.drain()


def frame_aligned_chunks(payload: bytes, size: int) -> list[bytes]:
    chunks, start = [], 0
    while start < len(payload):
        end = payload.find(FRAME_END, start + size)
        end = len(payload) if end < 0 else end + len(FRAME_END)
        chunks.append(payload[start:end])
        start = end
    return chunks


def _list_response(action_id: str, complete_event: str) -> bytes:
    return (
        f"Response: Success\r\nActionID: {action_id}\r\nEventList: start\r\n"
        "Message: Channels will follow\r\n\r\n"
        f"Event: {complete_event}\r\nActionID: {action_id}\r\nEventList: Complete\r\nListItems: 0\r\n\r\n"
    ).encode()
