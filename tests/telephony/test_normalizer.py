"""AMI traffic captured from the real Asterisk (fixtures/*.txt, made by benchmarks/capture_ami_traffic.py)
-> frames -> typed call events, live state and outcomes. The real-Asterisk suite is test_calls_*.py."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.calls.enums import CallOutcome
from backend.calls.outcomes import decide_outcome
from telephony.ami import AmiConnection
from telephony.ami_protocol import FrameSplitter, event_name, parse_frame
from telephony.ami_replay import AmiReplayServer, join_frames, recorded_event_frames
from telephony.control import ami_settings_for
from telephony.events import CallEnded, CallEvent, HungUp, Leg, event_from_dict, event_to_dict
from telephony.live import CallTracker
from telephony.normalizer import WANTED_EVENTS, AmiEventNormalizer
from telephony.states import CallState

FIXTURES = Path(__file__).parent / "fixtures"
SCENARIOS = [
    "answered",
    "busy",
    "no_answer",
    "rejected",
    "unallocated",
    "agent_no_answer",
    "without_channel_id",
]


def frames_of(scenario: str) -> list[bytes]:
    return FrameSplitter().feed((FIXTURES / f"{scenario}.txt").read_bytes())


def events_of(scenario: str) -> list[CallEvent]:
    normalizer, tracker = AmiEventNormalizer(), CallTracker()
    messages = [parse_frame(frame) for frame in frames_of(scenario) if frame.startswith(b"Event: ")]
    return tracker.apply_many(normalizer.normalize_many(messages))


def songda_call_id(scenario: str) -> str:
    """The call the capture originated (the ChannelId of its Originate)."""
    originate = next(
        f
        for f in frames_of(scenario)
        if f.startswith(b"Event: OriginateResponse") and b"capture-originate" in f
    )
    return parse_frame(originate)["Uniqueid"]


def kinds(events: list[CallEvent], call_id: str) -> list[str]:
    return [event.kind for event in events if event.call_id == call_id]


@pytest.mark.parametrize("chunk", [1, 7, 100, 4096])
def test_frames_are_the_same_however_the_stream_is_chunked(chunk: int) -> None:
    raw = (FIXTURES / "answered.txt").read_bytes()
    splitter = FrameSplitter()
    frames = [
        frame for start in range(0, len(raw), chunk) for frame in splitter.feed(raw[start : start + chunk])
    ]
    assert splitter.banner == "Asterisk Call Manager/11.0.0"
    assert frames == frames_of("answered")


def test_event_name_is_read_without_parsing() -> None:
    frame = next(f for f in frames_of("answered") if f.startswith(b"Event: VarSet"))
    assert event_name(frame) == b"VarSet"
    assert event_name(b"Response: Success\r\nActionID: 1") is None


def test_answered_call_gives_the_full_event_sequence() -> None:
    call_id = songda_call_id("answered")
    events = [e for e in events_of("answered") if e.call_id == call_id]
    sequence = [e.kind for e in events]
    assert sequence[:6] == [
        "AgentRinging",
        "AgentAnswered",
        "RecordingStarted",
        "PartyDialled",
        "PartyAnswered",
        "CallBridged",
    ]
    # The party's hang-up and the dialplan's DialResult race; the agent leg's hang-up ends the call.
    assert sorted(sequence[6:9]) == ["DialResult", "HungUp", "HungUp"]
    assert sequence[9:] == ["RecordingStopped", "CallEnded"]
    by_kind = {e.kind: e for e in events}
    assert by_kind["PartyDialled"].number == "13800138000"  # type: ignore[attr-defined]
    assert by_kind["PartyAnswered"].connected_number == "13800138000"  # type: ignore[attr-defined]
    assert [(e.leg, e.cause) for e in events if isinstance(e, HungUp)] == [(Leg.party, 16), (Leg.agent, 16)]
    times = [e.at for e in events]
    assert times == sorted(times) and all(t.tzinfo is UTC for t in times)


@pytest.mark.parametrize(
    ("scenario", "dial_status", "cause", "outcome"),
    [
        ("answered", "ANSWER", 16, CallOutcome.answered),
        ("busy", "BUSY", 17, CallOutcome.busy),
        ("no_answer", "NOANSWER", 19, CallOutcome.no_answer),
        ("rejected", "CHANUNAVAIL", 21, CallOutcome.rejected),
        ("unallocated", "CHANUNAVAIL", 1, CallOutcome.unreachable),
        ("agent_no_answer", None, 19, CallOutcome.agent_no_answer),
    ],
)
def test_each_real_call_ends_with_its_outcome(
    scenario: str, dial_status: str | None, cause: int, outcome: CallOutcome
) -> None:
    call_id = songda_call_id(scenario)
    ended = [e for e in events_of(scenario) if isinstance(e, CallEnded) and e.call_id == call_id]
    assert len(ended) == 1
    assert (ended[0].dial_status, ended[0].cause) == (dial_status, cause)
    facts = ended[0]
    decided = decide_outcome(
        agent_answered=facts.agent_answered,
        party_answered=facts.party_answered,
        dial_status=facts.dial_status,
        cause=facts.cause,
    )
    assert decided is outcome


def test_agent_not_answering_never_dials_the_party() -> None:
    call_id = songda_call_id("agent_no_answer")
    assert kinds(events_of("agent_no_answer"), call_id) == [
        "AgentRinging",
        "OriginateFailed",
        "HungUp",
        "CallEnded",
    ]


def test_no_answer_rings_the_party() -> None:
    call_id = songda_call_id("no_answer")
    assert "PartyRinging" in kinds(events_of("no_answer"), call_id)
    assert "PartyAnswered" not in kinds(events_of("no_answer"), call_id)


def test_call_without_channel_id_is_followed_once_the_dialplan_names_it() -> None:
    # Originated without ChannelId (as when an agent dials from the phone): the Linkedid is an Asterisk
    # uniqueid, so the call is unknown until the dialplan's SongdaRecording UserEvent gives its call id.
    events = events_of("without_channel_id")
    assert len({e.call_id for e in events}) == 1
    assert [e.kind for e in events][:4] == [
        "RecordingStarted",
        "PartyDialled",
        "PartyAnswered",
        "CallBridged",
    ]
    ended = events[-1]
    assert isinstance(ended, CallEnded) and (ended.party_answered, ended.cause) == (True, 16)
    stopped = next(e for e in events if e.kind == "RecordingStopped")
    assert stopped.channel.startswith("PJSIP/1009-")  # type: ignore[attr-defined]


def test_replaying_the_same_traffic_adds_nothing() -> None:
    normalizer, tracker = AmiEventNormalizer(), CallTracker()
    messages = [parse_frame(frame) for frame in frames_of("busy") if frame.startswith(b"Event: ")]
    first = tracker.apply_many(normalizer.normalize_many(messages))
    assert first
    assert tracker.apply_many(normalizer.normalize_many(messages)) == []


def test_events_survive_the_bus_encoding() -> None:
    for event in events_of("answered"):
        assert event_from_dict(event_to_dict(event)) == event


def test_resync_rebuilds_a_bridged_call_from_core_show_channels() -> None:
    frames = frames_of("answered")
    channels = [parse_frame(f) for f in frames if f.startswith(b"Event: CoreShowChannel\r\n")]
    assert len(channels) == 3  # agent, Local;1, Local;2
    normalizer, tracker = AmiEventNormalizer(), CallTracker()
    now = datetime.now(UTC)
    missed = tracker.resync(channels, now=now, call_id_for=normalizer.call_id_for)
    call_id = songda_call_id("answered")
    assert [e.kind for e in missed] == [
        "AgentRinging",
        "AgentAnswered",
        "PartyDialled",
        "PartyAnswered",
        "CallBridged",
    ]
    assert all(e.resynced and e.call_id == call_id for e in missed)
    assert tracker.calls[call_id].state is CallState.talking
    assert tracker.resync(channels, now=now, call_id_for=normalizer.call_id_for) == []


def test_connection_drops_unwanted_events_before_parsing_them() -> None:
    frames = [f for scenario in SCENARIOS for f in recorded_event_frames(FIXTURES / f"{scenario}.txt")]
    wanted = sum(1 for f in frames if (event_name(f) or b"").decode() in WANTED_EVENTS)
    received: list[dict[str, str]] = []

    async def replay() -> AmiConnection:
        async with AmiReplayServer(join_frames(frames)) as server:
            settings = ami_settings_for(host="127.0.0.1", port=server.port, username="u", secret="s")
            connection = AmiConnection(settings, on_events=received.extend)
            runner = asyncio.create_task(connection.run())
            await connection.wait_up(5)
            await _until(
                lambda: connection.stats.events_passed + connection.stats.events_dropped >= len(frames)
            )
            connection.close()
            await runner
            return connection

    connection = asyncio.run(replay())
    assert connection.stats.events_passed == wanted == len(received)
    assert connection.stats.events_dropped == len(frames) - wanted
    assert {m["Event"] for m in received} <= WANTED_EVENTS
    assert not any(m["Event"] in ("VarSet", "Newexten") for m in received)


async def _until(condition: object, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)
