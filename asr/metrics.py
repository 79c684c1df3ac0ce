"""Character error rate (CER) for Chinese transcripts: Levenshtein distance on characters."""

import math
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_ASCII_PUNCTUATION = frozenset(string.punctuation)


@dataclass(frozen=True, slots=True)
class ErrorCount:
    """Edits (substitutions + deletions + insertions) against a reference of `reference_chars` characters."""

    edits: int
    reference_chars: int

    def __add__(self, other: "ErrorCount") -> "ErrorCount":
        return ErrorCount(self.edits + other.edits, self.reference_chars + other.reference_chars)

    @property
    def rate(self) -> float:
        if self.reference_chars == 0:
            return 0.0 if self.edits == 0 else math.inf
        return self.edits / self.reference_chars


def normalize_for_cer(text: str) -> str:
    """Fold full-width forms (NFKC) and case; drop whitespace and Chinese or ASCII punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if not _is_ignored(char))


def _is_ignored(char: str) -> bool:
    return char.isspace() or char in _ASCII_PUNCTUATION or unicodedata.category(char).startswith("P")


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance with unit costs, two rows of memory."""
    previous = list(range(len(hypothesis) + 1))
    for row, ref_item in enumerate(reference, start=1):
        current = [row]
        for column, hyp_item in enumerate(hypothesis, start=1):
            substitution = previous[column - 1] + (ref_item != hyp_item)
            current.append(min(previous[column] + 1, current[column - 1] + 1, substitution))
        previous = current
    return previous[-1]


def character_errors(reference: str, hypothesis: str) -> ErrorCount:
    """Edits and reference length after normalisation."""
    ref, hyp = normalize_for_cer(reference), normalize_for_cer(hypothesis)
    return ErrorCount(edit_distance(ref, hyp), len(ref))


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate of one hypothesis against its reference."""
    return character_errors(reference, hypothesis).rate


def corpus_cer(pairs: Iterable[tuple[str, str]]) -> float:
    """Total edits over total reference characters for (reference, hypothesis) pairs."""
    return sum((character_errors(ref, hyp) for ref, hyp in pairs), ErrorCount(0, 0)).rate
