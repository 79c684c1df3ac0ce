"""Merge the agent's and the party's legs into one time-ordered dialogue of utterances."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from asr.transcript import LegTranscript, Word, join_words

DEFAULT_PAUSE_SECONDS = 0.8


class Speaker(StrEnum):
    AGENT = "agent"
    PARTY = "party"

    @property
    def label(self) -> str:
        """The Chinese label shown to users."""
        return SPEAKER_LABELS[self]


SPEAKER_LABELS = {Speaker.AGENT: "专员", Speaker.PARTY: "当事人"}
_SPEAKER_ORDER = {Speaker.AGENT: 0, Speaker.PARTY: 1}


@dataclass(frozen=True, slots=True)
class Utterance:
    """Consecutive words of one speaker with no pause longer than the split threshold."""

    speaker: Speaker
    words: tuple[Word, ...]

    def __post_init__(self) -> None:
        if not self.words:
            raise ValueError("an utterance needs at least one word")

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return max(word.end for word in self.words)

    @property
    def text(self) -> str:
        return join_words(word.text for word in self.words)

    @property
    def confidence(self) -> float:
        """Mean word confidence."""
        return sum(word.confidence for word in self.words) / len(self.words)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for evidence storage."""
        return {
            "speaker": self.speaker.value,
            "speaker_label": self.speaker.label,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "words": [word.as_dict() for word in self.words],
        }


def split_utterances(
    speaker: Speaker, words: Iterable[Word], *, pause: float = DEFAULT_PAUSE_SECONDS
) -> list[Utterance]:
    """Group one speaker's words into utterances, starting a new one after a silence of `pause` seconds."""
    if pause <= 0:
        raise ValueError("pause must be positive")
    groups: list[list[Word]] = []
    group_end = 0.0
    for word in sorted(words, key=lambda item: (item.start, item.end)):
        if not groups or word.start - group_end >= pause:
            groups.append([])
            group_end = word.end
        groups[-1].append(word)
        group_end = max(group_end, word.end)
    return [Utterance(speaker, tuple(group)) for group in groups]


def merge_dialogue(
    *, agent: LegTranscript, party: LegTranscript, pause: float = DEFAULT_PAUSE_SECONDS
) -> list[Utterance]:
    """Both legs' utterances ordered by start time (the agent first on a tie); legs share time zero."""
    utterances = split_utterances(Speaker.AGENT, agent.words, pause=pause)
    utterances += split_utterances(Speaker.PARTY, party.words, pause=pause)
    return sorted(utterances, key=lambda item: (item.start, _SPEAKER_ORDER[item.speaker], item.end))


def format_dialogue(utterances: Sequence[Utterance]) -> str:
    """Readable transcript, one line per utterance: `[分:秒.十分秒] 专员：文本`."""
    return "\n".join(f"[{_clock(item.start)}] {item.speaker.label}：{item.text}" for item in utterances)


def _clock(seconds: float) -> str:
    minutes, tenths = divmod(round(seconds * 10), 600)
    return f"{minutes:02d}:{tenths / 10:04.1f}"
