"""The configurable key-phrase list and the search for its phrases in a dialogue, with their times."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.config import get_settings
from backend.transcripts.enums import FlagCategory

DEFAULT_PHRASES_FILE = Path(__file__).with_name("key_phrases.json")


@dataclass(frozen=True, slots=True)
class PhraseRule:
    category: FlagCategory
    phrases: tuple[str, ...]
    exclude: tuple[str, ...]
    speakers: frozenset[str]


@dataclass(frozen=True, slots=True)
class FoundPhrase:
    category: FlagCategory
    phrase: str
    speaker: str
    utterance_index: int
    char_offset: int
    start: float
    end: float
    utterance_text: str


def load_rules(path: Path | None = None) -> list[PhraseRule]:
    """The rules of PATH, else of settings.key_phrases_path, else of the packaged key_phrases.json."""
    source = path or get_settings().key_phrases_path or DEFAULT_PHRASES_FILE
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    return [
        PhraseRule(
            category=FlagCategory(name),
            phrases=tuple(body["phrases"]),
            exclude=tuple(body.get("exclude", ())),
            speakers=frozenset(body.get("speakers", ("party",))),
        )
        for name, body in data.items()
        if not name.startswith("_")
    ]


def occurrences(text: str, phrase: str) -> Iterable[tuple[int, int]]:
    start = text.find(phrase)
    while start >= 0:
        yield start, start + len(phrase)
        start = text.find(phrase, start + 1)


def _overlaps(span: tuple[int, int], others: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < other[1] and other[0] < span[1] for other in others)


def rule_matches(rule: PhraseRule, text: str) -> list[tuple[int, int, str]]:
    """(start, end, phrase) of RULE in TEXT: longest first, no two overlapping, none inside an exclusion."""
    excluded = [span for phrase in rule.exclude for span in occurrences(text, phrase)]
    found = [(*span, phrase) for phrase in rule.phrases for span in occurrences(text, phrase)]
    kept: list[tuple[int, int, str]] = []
    for start, end, phrase in sorted(found, key=lambda item: (item[0] - item[1], item[0])):
        span = (start, end)
        if not _overlaps(span, excluded) and not _overlaps(span, [(s, e) for s, e, _ in kept]):
            kept.append((start, end, phrase))
    return sorted(kept)


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def char_times(utterance: dict[str, Any]) -> list[tuple[float, float]]:
    """The (start, end) seconds of the word under each character of the utterance's text."""
    times: list[tuple[float, float]] = []
    text = ""
    for word in utterance.get("words") or ():
        if text and _is_latin(text[-1]) and _is_latin(word["word"][:1]):
            text += " "
            times.append((word["start"], word["start"]))
        text += word["word"]
        times.extend([(word["start"], word["end"])] * len(word["word"]))
    return times if text == utterance["text"] else []


def _utterance_matches(
    index: int, utterance: dict[str, Any], rules: Sequence[PhraseRule]
) -> Iterable[FoundPhrase]:
    times = char_times(utterance) or [(utterance["start"], utterance["end"])] * len(utterance["text"])
    for rule in rules:
        if utterance["speaker"] not in rule.speakers:
            continue
        for start, end, phrase in rule_matches(rule, utterance["text"]):
            yield FoundPhrase(
                category=rule.category,
                phrase=phrase,
                speaker=utterance["speaker"],
                utterance_index=index,
                char_offset=start,
                start=times[start][0],
                end=times[end - 1][1],
                utterance_text=utterance["text"],
            )


def find_phrases(utterances: Sequence[dict[str, Any]], rules: Sequence[PhraseRule]) -> list[FoundPhrase]:
    """Every rule's matches in the utterances of the speakers it applies to, in dialogue order."""
    return [
        found for index, item in enumerate(utterances) for found in _utterance_matches(index, item, rules)
    ]
