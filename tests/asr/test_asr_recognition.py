"""Real Vosk on real Mandarin clips.

Measured here (vosk 0.3.45, vosk-model-small-cn-0.22, 7 clips, 148 reference characters):
wide-band 16 kHz 16.9 % CER (25 edits); telephone band (300-3400 Hz, 8 kHz, G.711 mu-law) 20.3 %
(30 edits) when Vosk is told 8000 Hz and resamples inside Kaldi, 24.3 % when the 8 kHz audio is first
upsampled to 16 kHz in Python (audioop), 99 % when 8 kHz audio is fed as if it were 16 kHz.
Vosk is not bit-exact from run to run (word times, confidences and the odd word vary: 23-25 wide-band
and 28-30 telephone edits over three runs), so tests compare against bounds, never against a rerun.
"""

import asyncio
from pathlib import Path

import pytest

from asr import engine
from asr.audio import AudioSegment
from asr.dialogue import Speaker
from asr.metrics import ErrorCount, character_errors
from asr.transcript import LegTranscript
from backend.config import get_settings
from tests.asr.conftest import MODEL_PATH, SAMPLES_DIR, read_clip, telephone_band, write_wav

WIDEBAND_CER_BOUND = 0.25
# Measured 20.3 %, 3.4 points above wide-band (the shared README reports about 6 points with its own
# band-limiting). 27 % leaves 10 characters of headroom for numerical differences on other CPUs while a
# wrong sample-rate path (99 %) or a badly degraded front end still fails.
TELEPHONE_CER_BOUND = 0.27


def corpus_errors(transcripts: dict[str, LegTranscript], references: dict[str, str]) -> ErrorCount:
    return sum(
        (character_errors(references[name], transcript.text) for name, transcript in transcripts.items()),
        ErrorCount(0, 0),
    )


@pytest.fixture(scope="session")
def telephone_transcripts(
    model_path: Path, references: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, LegTranscript]:
    """Every clip band-limited to a phone call and stored as Asterisk stores a leg (8 kHz mono 16-bit WAV)."""
    folder = tmp_path_factory.mktemp("telephone")
    transcripts = {}
    for name in references:
        leg = write_wav(folder / name, telephone_band(read_clip(name)).raw_data, sample_rate=8000)
        transcripts[name] = engine.transcribe_leg(leg, model_path=model_path)
    return transcripts


def test_wideband_clips_within_cer_bound(
    wideband_transcripts: dict[str, LegTranscript], references: dict[str, str]
) -> None:
    errors = corpus_errors(wideband_transcripts, references)
    assert errors.reference_chars == 148
    assert errors.rate <= WIDEBAND_CER_BOUND, errors


def test_telephone_band_clips_within_cer_bound(
    telephone_transcripts: dict[str, LegTranscript], references: dict[str, str]
) -> None:
    errors = corpus_errors(telephone_transcripts, references)
    assert errors.rate <= TELEPHONE_CER_BOUND, errors


def test_telephone_leg_duration_matches_the_clip(telephone_transcripts: dict[str, LegTranscript]) -> None:
    for name, transcript in telephone_transcripts.items():
        assert transcript.duration == pytest.approx(read_clip(name).duration_seconds, abs=0.01)


def test_words_carry_ordered_times_within_the_leg_and_confidences(
    wideband_transcripts: dict[str, LegTranscript],
) -> None:
    for transcript in wideband_transcripts.values():
        assert transcript.words
        starts = [word.start for word in transcript.words]
        assert starts == sorted(starts)
        for word in transcript.words:
            assert 0 <= word.start < word.end <= transcript.duration + 0.05
            assert 0 < word.confidence <= 1
        assert transcript.text == "".join(word.text for word in transcript.words)


def test_model_is_loaded_once_per_process_and_path(model_path: Path) -> None:
    model = engine.load_model(model_path)
    assert engine.load_model(model_path / "am" / "..") is model
    assert engine.load_model(get_settings().vosk_model) is model  # SONGDA_VOSK_MODEL: the shared model
    loads_before = engine._load_model.cache_info().misses
    engine.transcribe_leg(SAMPLES_DIR / "aishell1_BAC009S0002W0123.wav", model_path=model_path)
    assert engine._load_model.cache_info().misses == loads_before


def test_empty_and_silent_legs_give_no_words(model_path: Path, tmp_path: Path) -> None:
    empty = write_wav(tmp_path / "empty.wav", b"", sample_rate=8000)
    silent = write_wav(tmp_path / "silent.wav", bytes(8000 * 2 * 3), sample_rate=8000)
    assert engine.transcribe_leg(empty, model_path=model_path) == LegTranscript(words=(), duration=0.0)
    assert engine.transcribe_leg(silent, model_path=model_path) == LegTranscript(words=(), duration=3.0)


def test_missing_model_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(engine.ModelNotInstalled, match="songda asr fetch-model"):
        engine.load_model(tmp_path / "no-model")


def test_async_leg_runs_off_the_event_loop(model_path: Path, references: dict[str, str]) -> None:
    name = "aishell1_BAC009S0764W0121.wav"

    async def transcribe_while_loop_ticks() -> tuple[LegTranscript, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(tick())
        transcript = await engine.transcribe_leg_async(SAMPLES_DIR / name, model_path=model_path)
        ticker.cancel()
        return transcript, ticks

    transcript, ticks = asyncio.run(transcribe_while_loop_ticks())
    assert character_errors(references[name], transcript.text).rate <= WIDEBAND_CER_BOUND
    assert transcript.duration == pytest.approx(read_clip(name).duration_seconds, abs=0.01)
    assert ticks > 10


CALL_CLIPS = (
    "aishell1_BAC009S0764W0121.wav",
    "aishell1_BAC009S0002W0123.wav",
    "aishell1_BAC009S0002W0124.wav",
)


def test_two_leg_phone_call_becomes_a_speaker_labelled_dialogue(
    model_path: Path, references: dict[str, str], tmp_path: Path
) -> None:
    agent_leg, party_leg, turn_starts = two_leg_call(tmp_path, *CALL_CLIPS)
    dialogue = asyncio.run(
        engine.transcribe_call_async(agent_leg=agent_leg, party_leg=party_leg, model_path=model_path)
    )
    assert [u.speaker for u in dialogue] == [Speaker.AGENT, Speaker.PARTY, Speaker.AGENT]
    assert [u.start >= start for u, start in zip(dialogue, turn_starts, strict=True)] == [True] * 3
    assert [u.end <= start for u, start in zip(dialogue, turn_starts[1:], strict=False)] == [True] * 2
    spoken = zip(CALL_CLIPS, dialogue, strict=True)
    errors = sum((character_errors(references[name], u.text) for name, u in spoken), ErrorCount(0, 0))
    assert errors.rate <= TELEPHONE_CER_BOUND, errors


def test_cli_transcribes_a_call_into_chinese_dialogue_lines(model_path: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from asr.cli import asr_app

    agent_leg, party_leg, _ = two_leg_call(tmp_path, *CALL_CLIPS[:2])
    result = CliRunner().invoke(
        asr_app(get_settings), ["transcribe", str(agent_leg), str(party_leg), "--model", str(model_path)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split("] ")[1].split("：")[0] for line in lines] == ["专员", "当事人"]
    assert lines[0].startswith("[00:00.")


def two_leg_call(tmp_path: Path, *clips: str) -> tuple[Path, Path, list[float]]:
    """Agent and party take turns saying `clips`, 1 s apart: two 8 kHz legs and each turn's start time."""
    gap = AudioSegment.silent(duration=1000, frame_rate=8000)
    agent = party = AudioSegment.silent(duration=0, frame_rate=8000)
    turn_starts = []
    for turn, name in enumerate(clips):
        speech = telephone_band(read_clip(name))
        turn_starts.append(agent.duration_seconds)
        agent += (speech if turn % 2 == 0 else silence_like(speech)) + gap
        party += (silence_like(speech) if turn % 2 == 0 else speech) + gap
    agent_leg = write_wav(tmp_path / "agent.wav", agent.raw_data, sample_rate=8000)
    party_leg = write_wav(tmp_path / "party.wav", party.raw_data, sample_rate=8000)
    return agent_leg, party_leg, turn_starts


def silence_like(segment: AudioSegment) -> AudioSegment:
    return AudioSegment.silent(duration=len(segment), frame_rate=segment.frame_rate)


def test_shared_model_path_is_resolved_from_the_repository() -> None:
    repository = Path(__file__).resolve().parents[2]
    expected = repository.parent / "shared/asr/models/vosk-model-small-cn-0.22"
    assert MODEL_PATH.resolve() == expected.resolve()
