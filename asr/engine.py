"""Vosk recognition of one recording leg: the model is loaded once per process and per model path."""

import asyncio
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import vosk

from asr.audio import SAMPLE_WIDTH, open_pcm
from asr.dialogue import DEFAULT_PAUSE_SECONDS, Utterance, merge_dialogue
from asr.transcript import LegTranscript, Word


class ModelNotInstalled(FileNotFoundError):
    """The configured Vosk model directory is missing or incomplete."""


def load_model(model_path: Path) -> vosk.Model:
    """The process-wide Vosk model at MODEL_PATH (the application's is Settings.vosk_model)."""
    return _load_model(model_path.resolve())


@cache
def _load_model(model_path: Path) -> vosk.Model:
    if not (model_path / "am" / "final.mdl").is_file():
        raise ModelNotInstalled(f"未找到 Vosk 模型 {model_path}：请运行 songda asr fetch-model")
    vosk.SetLogLevel(-1)
    return vosk.Model(str(model_path))


def transcribe_leg(path: Path, *, model_path: Path) -> LegTranscript:
    """Recognise one leg: words with start/end seconds and confidences.

    The recogniser is told the recording's own sample rate (8 kHz from Asterisk); Kaldi resamples to the
    model's 16 kHz itself, which gave equal or lower CER than resampling in Python.
    """
    model = load_model(model_path)
    with open_pcm(path) as stream:
        recognizer = vosk.KaldiRecognizer(model, stream.sample_rate)
        recognizer.SetWords(True)
        words, pcm_bytes = _recognise(recognizer, stream.chunks)
    return LegTranscript(words=tuple(words), duration=pcm_bytes / SAMPLE_WIDTH / stream.sample_rate)


def _recognise(recognizer: vosk.KaldiRecognizer, chunks: Iterable[bytes]) -> tuple[list[Word], int]:
    words: list[Word] = []
    pcm_bytes = 0
    for chunk in chunks:
        pcm_bytes += len(chunk)
        if recognizer.AcceptWaveform(chunk):
            words.extend(parse_words(recognizer.Result()))
    words.extend(parse_words(recognizer.FinalResult()))
    return words, pcm_bytes


def parse_words(result_json: str) -> list[Word]:
    """Words of one Vosk result ({"result": [{"word", "start", "end", "conf"}...], "text": ...})."""
    entries = json.loads(result_json).get("result", [])
    return [
        Word(text=entry["word"], start=entry["start"], end=entry["end"], confidence=entry["conf"])
        for entry in entries
    ]


async def transcribe_leg_async(path: Path, *, model_path: Path) -> LegTranscript:
    """`transcribe_leg` in a worker thread, keeping the event loop free (cffi drops the GIL)."""
    return await asyncio.to_thread(transcribe_leg, path, model_path=model_path)


def transcribe_call(
    *, agent_leg: Path, party_leg: Path, model_path: Path, pause: float = DEFAULT_PAUSE_SECONDS
) -> list[Utterance]:
    """Recognise both legs one after the other and merge them into a dialogue."""
    agent = transcribe_leg(agent_leg, model_path=model_path)
    party = transcribe_leg(party_leg, model_path=model_path)
    return merge_dialogue(agent=agent, party=party, pause=pause)


async def transcribe_call_async(
    *, agent_leg: Path, party_leg: Path, model_path: Path, pause: float = DEFAULT_PAUSE_SECONDS
) -> list[Utterance]:
    """Recognise both legs at once in two threads (one core each) and merge them into a dialogue."""
    agent, party = await asyncio.gather(
        transcribe_leg_async(agent_leg, model_path=model_path),
        transcribe_leg_async(party_leg, model_path=model_path),
    )
    return merge_dialogue(agent=agent, party=party, pause=pause)
