"""A served phone attempt: the call record, the full recording and the party's own leg."""

from datetime import timedelta

from backend.demo.proofs import audio
from backend.demo.proofs.model import Scene, SimulatedItem, binary_item, json_item
from backend.evidence.enums import EvidenceKind

TALK_SECONDS = (18, 24, 32)  # a notification read out and acknowledged


def _talk_seconds(scene: Scene, ring: int) -> int:
    """A clip length that fits between the answer and the end of the attempt."""
    room = int((scene.ended - scene.started).total_seconds()) - ring - 1
    return max(1, min(scene.rng.choice(TALK_SECONDS), room))


def phone_records(scene: Scene) -> list[SimulatedItem]:
    ring = scene.rng.randint(4, 15)
    talk = _talk_seconds(scene, ring)
    started = scene.started
    answered = started + timedelta(seconds=ring)
    number = scene.address()
    call = {
        "number_dialled": number,
        "connected_number": number,
        "call_started_at": started,
        "answered_at": answered,
        "call_ended_at": answered + timedelta(seconds=talk),
        "agent": scene.performer,
    }
    body = {**call, "talk_seconds": talk, "hangup_cause": "Normal Clearing", "recording": "complete"}
    return [
        json_item(EvidenceKind.call_record, "call_record", scene, body, call),
        binary_item(
            EvidenceKind.recording_mix,
            "call_recording",
            "audio/wav",
            audio.call_recording(talk, "mix"),
            {"recording": f"{talk:.1f} 秒"},
        ),
        binary_item(
            EvidenceKind.recording_party,
            "call_recording",
            "audio/wav",
            audio.call_recording(talk, "party"),
            {"party_answer": "见当事人声道录音"},
        ),
    ]
