"""Character n-grams for Chinese text, which has no spaces between words: unigrams and bigrams."""

from collections import Counter
from collections.abc import Iterable

from asr.metrics import normalize_for_cer


def normalize(text: str) -> str:
    """The searchable form: full-width folded, lower case, without spaces or punctuation."""
    return normalize_for_cer(text)


def text_grams(texts: Iterable[str]) -> Counter[str]:
    """Unigram and bigram counts over TEXTS; no bigram spans two texts (two utterances)."""
    counts: Counter[str] = Counter()
    for text in texts:
        chars = normalize(text)
        counts.update(chars)
        counts.update(chars[i : i + 2] for i in range(len(chars) - 1))
    return counts


def query_terms(query: str) -> list[str]:
    """The normalised, distinct, non-empty terms of a query (whitespace separates terms)."""
    terms = (normalize(part) for part in query.split())
    return list(dict.fromkeys(term for term in terms if term))


def term_grams(term: str) -> set[str]:
    """What the index is asked for: a term's bigrams, or the term itself when it is one character."""
    if len(term) == 1:
        return {term}
    return {term[i : i + 2] for i in range(len(term) - 1)}
