"""Capture the raw AMI byte stream of real calls on the running Asterisk into tests/telephony/fixtures.

Logs in with every event class and no filter (the stream exactly as Asterisk sends it, VarSet and
Newexten included), registers a pyVoIP agent softphone, originates one call per scenario following the
dialplan contract, and saves everything received until every channel of the call has hung up.

    .venv/bin/python benchmarks/capture_ami_traffic.py [scenario ...]
"""

import asyncio
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from backend.config import get_settings
from telephony.ami_protocol import FrameSplitter, encode_action, parse_frame
from telephony.sip_accounts import agent_sip_password
from telephony.softphone import AgentSoftphone

sys.path.append(str(Path(__file__).resolve().parents[1]))  # the repository, for tests/polling.py
from tests.polling import poll_until_async

FIXTURES = Path(__file__).resolve().parent.parent / "tests/telephony/fixtures"
AGENT = "1009"
SHORT_CLIP = "aishell1_BAC009S0002W0123"


@dataclass(frozen=True)
class Scenario:
    name: str
    number: str
    agent_answers: bool = True
    ring_timeout: int = 4
    originate_timeout_ms: int = 30000
    snapshot_when_bridged: bool = False
    with_channel_id: bool = True  # False: like a call started on the agent's phone, named by the dialplan


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("answered", "13800138000", snapshot_when_bridged=True),
        Scenario("busy", "19900000486"),
        Scenario("no_answer", "19900000480"),
        Scenario("rejected", "19900000403"),
        Scenario("unallocated", "19900000404"),
        Scenario("agent_no_answer", "13800138000", agent_answers=False, originate_timeout_ms=4000),
        Scenario("without_channel_id", "13800138000", with_channel_id=False),
    )
}


class RawCapture:
    """An AMI session that keeps every byte it receives and watches for the call's end."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.raw = bytearray()
        self.splitter = FrameSplitter()
        self.live: set[str] = set()
        self.seen_channels: set[str] = set()
        self.bridged = asyncio.Event()
        self.linkedid: str | None = None  # the call's Linkedid: the call id, unless no ChannelId was given

    async def pump(self, call_id: str) -> None:
        while chunk := await self.reader.read(65536):
            self.raw += chunk
            for frame in self.splitter.feed(chunk):
                self._track(parse_frame(frame), call_id)

    def _track(self, message: dict[str, str], call_id: str) -> None:
        event = message.get("Event")
        if (
            event == "Newchannel"
            and self.linkedid is None
            and message["Channel"].startswith(f"PJSIP/{AGENT}-")
        ):
            self.linkedid = message["Linkedid"]
        if self.linkedid is None or message.get("Linkedid") != self.linkedid:
            return
        if event == "BridgeEnter" and message.get("Uniqueid") == self.linkedid:
            self.bridged.set()
        if event == "Newchannel":
            self.live.add(message["Uniqueid"])
            self.seen_channels.add(message["Uniqueid"])
        elif event == "Hangup":
            self.live.discard(message["Uniqueid"])

    def send(self, name: str, headers: list[tuple[str, str]]) -> None:
        self.writer.write(encode_action(name, headers, f"capture-{name.lower()}"))

    def finished(self) -> bool:
        return bool(self.seen_channels) and not self.live


async def capture(scenario: Scenario) -> Path:
    settings = get_settings()
    phone = AgentSoftphone(
        extension=AGENT,
        password=agent_sip_password(AGENT, settings=settings),
        auto_answer=scenario.agent_answers,
        received_wav=Path(tempfile.gettempdir()) / f"songda-capture-{AGENT}.wav",
    )
    await asyncio.to_thread(phone.start)
    reader, writer = await asyncio.open_connection(settings.ami_host, settings.ami_port)
    session = RawCapture(reader, writer)
    call_id = uuid.uuid4().hex
    pump = asyncio.create_task(session.pump(call_id))
    session.send(
        "Login", [("Username", settings.ami_username), ("Secret", settings.ami_secret), ("Events", "on")]
    )
    await asyncio.sleep(0.5)  # let the login settle so the capture starts with a quiet line
    session.send("Originate", originate_headers(scenario, call_id))
    try:
        if scenario.snapshot_when_bridged:  # the CoreShowChannels answer a resync would get mid-call
            await asyncio.wait_for(session.bridged.wait(), timeout=30)
            session.send("CoreShowChannels", [])

        async def call_ended() -> bool:
            return session.finished()

        await poll_until_async(call_ended, timeout=60, what="the call did not end in time", interval=0.1)
        await asyncio.sleep(1.0)  # trailing events (Hangup handlers, BridgeDestroy...)
    finally:
        pump.cancel()
        writer.close()
        await asyncio.to_thread(phone.stop)
    target = FIXTURES / f"{scenario.name}.txt"
    target.write_bytes(bytes(session.raw))
    return target


def originate_headers(scenario: Scenario, call_id: str) -> list[tuple[str, str]]:
    return [
        ("Channel", f"PJSIP/{AGENT}"),
        ("Context", "songda-outbound"),
        ("Exten", scenario.number),
        ("Priority", "1"),
        ("Async", "true"),
        ("Timeout", str(scenario.originate_timeout_ms)),
        *([("ChannelId", call_id)] if scenario.with_channel_id else []),
        ("CallerID", f"<{scenario.number}>"),
        ("Variable", f"__SONGDA_CALL_ID={call_id}"),
        ("Variable", f"__SONGDA_TEST_CLIP={SHORT_CLIP}"),
        ("Variable", f"SONGDA_RING_TIMEOUT={scenario.ring_timeout}"),
    ]


async def main(names: list[str]) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in names or list(SCENARIOS):
        path = await capture(SCENARIOS[name])
        print(f"{name}: {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
