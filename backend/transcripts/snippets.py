"""A short excerpt of an utterance around its matches, with the matches' character ranges in it."""

import html
from collections.abc import Iterable
from dataclasses import dataclass

CONTEXT_BEFORE = 15
SNIPPET_CHARS = 60
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Snippet:
    text: str
    highlights: tuple[tuple[int, int], ...]  # [start, end) character ranges within `text`

    @property
    def marked_html(self) -> str:
        """The snippet as escaped HTML with each highlight in <mark>."""
        parts, position = [], 0
        for start, end in self.highlights:
            marked = html.escape(self.text[start:end])
            parts += [html.escape(self.text[position:start]), f"<mark>{marked}</mark>"]
            position = end
        return "".join([*parts, html.escape(self.text[position:])])


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, spans: Iterable[tuple[int, int]]) -> Snippet:
    """At most SNIPPET_CHARS of TEXT starting a little before the first span, marked with ellipses."""
    merged = merge_spans(spans)
    low = max(0, merged[0][0] - CONTEXT_BEFORE) if merged else 0
    high = min(len(text), low + SNIPPET_CHARS)
    prefix = ELLIPSIS if low > 0 else ""
    suffix = ELLIPSIS if high < len(text) else ""
    shift = len(prefix) - low
    visible = [(start, end) for start, end in merged if start < high and end > low]
    highlights = tuple((max(start, low) + shift, min(end, high) + shift) for start, end in visible)
    return Snippet(prefix + text[low:high] + suffix, highlights)
