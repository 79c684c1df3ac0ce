"""Recognise a call's two recorded legs (each converted and recognised on its own) into one dialogue."""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

from asr.dialogue import merge_dialogue
from asr.engine import transcribe_leg
from asr.transcript import LegTranscript
from backend.config import get_settings

TRANSCRIPT_FORMAT = "songda-transcript/1"


@dataclass(frozen=True, slots=True)
class RecognisedCall:
    """The merged dialogue in the JSON form stored as evidence, with the figures of the run."""

    document: dict[str, Any]
    audio_seconds: float
    processing_seconds: float

    @property
    def utterances(self) -> list[dict[str, Any]]:
        return list(self.document["utterances"])


def engine_name(model_path: Path | None = None) -> str:
    return f"vosk {version('vosk')} / {(model_path or get_settings().vosk_model).name}"


def recognise_legs(*, agent_leg: Path, party_leg: Path, parallel: bool = True) -> tuple[LegTranscript, ...]:
    """Both legs recognised, in two threads (one core each) when PARALLEL."""
    recognise = partial(transcribe_leg, model_path=get_settings().vosk_model)
    if not parallel:
        return recognise(agent_leg), recognise(party_leg)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="songda-asr") as pool:
        return tuple(pool.map(recognise, (agent_leg, party_leg)))


def recognise_call(
    *, agent_leg: Path, party_leg: Path, call_id: str, parallel: bool = True
) -> RecognisedCall:
    """Recognise both legs and merge them; the document holds no clock time, so reruns give equal bytes."""
    began = time.monotonic()
    agent, party = recognise_legs(agent_leg=agent_leg, party_leg=party_leg, parallel=parallel)
    utterances = merge_dialogue(agent=agent, party=party)
    document = {
        "format": TRANSCRIPT_FORMAT,
        "call_id": call_id,
        "engine": engine_name(),
        "audio_seconds": {"agent": round(agent.duration, 3), "party": round(party.duration, 3)},
        "utterances": [utterance.as_dict() for utterance in utterances],
    }
    audio_seconds = max(agent.duration, party.duration)
    return RecognisedCall(document, audio_seconds, time.monotonic() - began)
