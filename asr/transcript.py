"""What recognition produces for one recording leg: timed words with confidences."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word; times in seconds from the start of its leg, confidence in 0..1."""

    text: str
    start: float
    end: float
    confidence: float

    def as_dict(self) -> dict[str, str | float]:
        return {"word": self.text, "start": self.start, "end": self.end, "confidence": self.confidence}


@dataclass(frozen=True, slots=True)
class LegTranscript:
    """The recognised words of one leg (agent or party) and the leg's audio duration in seconds."""

    words: tuple[Word, ...]
    duration: float

    @property
    def text(self) -> str:
        return join_words(word.text for word in self.words)


def join_words(words: Iterable[str]) -> str:
    """Join Chinese words without spaces; keep one space between two Latin-script words."""
    text = ""
    for word in words:
        if text and _is_latin(text[-1]) and _is_latin(word[:1]):
            text += " "
        text += word
    return text


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()
