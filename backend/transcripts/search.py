"""Full-text search over transcripts across the caller's cases, for Chinese (no spaces between words).

The index (transcript_gram) narrows the transcripts to those holding every bigram of the query (or,
fuzzy, most of them); each candidate's utterances are then matched exactly, ranked and excerpted.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.cases.access import case_visible
from backend.transcripts.enums import TranscriptStatus
from backend.transcripts.models import Transcript, TranscriptGram
from backend.transcripts.ngrams import query_terms, term_grams
from backend.transcripts.phrases import char_times, occurrences
from backend.transcripts.snippets import Snippet, make_snippet

MAX_CANDIDATES = 200
HITS_PER_TRANSCRIPT = 3
FUZZY_COVERAGE = 0.6  # share of the query's bigrams an utterance must hold to match approximately
EXACT_WEIGHT = 10.0


@dataclass(frozen=True, slots=True)
class SearchHit:
    utterance_index: int
    speaker: str
    start: float  # seconds into the recording where the first match is said
    utterance_start: float
    utterance_end: float
    snippet: Snippet
    exact: bool
    score: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    transcript: Transcript
    score: float
    hits: list[SearchHit]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    terms: list[str]
    grams: frozenset[str]
    fuzzy: bool

    @property
    def required_grams(self) -> int:
        return max(1, math.ceil(len(self.grams) * FUZZY_COVERAGE)) if self.fuzzy else len(self.grams)


def parse_query(query: str, *, fuzzy: bool = False) -> ParsedQuery:
    terms = query_terms(query)
    grams = frozenset(gram for term in terms for gram in term_grams(term))
    return ParsedQuery(terms, grams, fuzzy)


def search_transcripts(
    *, db_session: Session, user: User, query: str, limit: int = 20, fuzzy: bool = False
) -> list[SearchResult]:
    """The caller's transcripts matching QUERY, best first, each with its best-matching utterances."""
    parsed = parse_query(query, fuzzy=fuzzy)
    if not parsed.terms:
        return []
    ids = candidate_ids(db_session=db_session, user=user, parsed=parsed)
    transcripts = list(db_session.scalars(select(Transcript).where(Transcript.id.in_(ids)))) if ids else []
    results = [result for item in transcripts if (result := rank_transcript(item, parsed)) is not None]
    return sorted(results, key=lambda result: (-result.score, -result.transcript.id))[:limit]


def candidate_ids(*, db_session: Session, user: User, parsed: ParsedQuery) -> list[int]:
    """Done transcripts in the caller's scope holding enough of the query's grams, most matched first."""
    matched = func.count(TranscriptGram.gram)
    occurrences_total = func.sum(TranscriptGram.occurrences)
    query = (
        select(TranscriptGram.transcript_id)
        .join(Transcript, Transcript.id == TranscriptGram.transcript_id)
        .where(
            TranscriptGram.gram.in_(parsed.grams),
            Transcript.status == TranscriptStatus.done,
            case_visible(user, Transcript.case_id),
        )
        .group_by(TranscriptGram.transcript_id)
        .having(matched >= parsed.required_grams)
        .order_by(matched.desc(), occurrences_total.desc(), TranscriptGram.transcript_id.desc())
        .limit(MAX_CANDIDATES)
    )
    return list(db_session.scalars(query))


def rank_transcript(transcript: Transcript, parsed: ParsedQuery) -> SearchResult | None:
    """The transcript's hits and score, or None when its utterances do not actually match."""
    hits = [
        hit for index, item in enumerate(transcript.utterances) if (hit := utterance_hit(index, item, parsed))
    ]
    if not hits or not (parsed.fuzzy or _has_every_term(transcript.utterances, parsed.terms)):
        return None
    best = sorted(hits, key=lambda hit: (-hit.score, hit.start))[:HITS_PER_TRANSCRIPT]
    return SearchResult(transcript, sum(hit.score for hit in hits), sorted(best, key=lambda hit: hit.start))


def _has_every_term(utterances: Sequence[dict[str, Any]], terms: Sequence[str]) -> bool:
    return all(any(term in item["text"] for item in utterances) for term in terms)


def utterance_hit(index: int, utterance: dict[str, Any], parsed: ParsedQuery) -> SearchHit | None:
    """The utterance as a hit: exact term occurrences, or (fuzzy) enough of the query's bigrams."""
    text = utterance["text"]
    spans = [span for term in parsed.terms for span in occurrences(text, term)]
    score = EXACT_WEIGHT * len(spans)
    if not spans and parsed.fuzzy:
        spans = [span for gram in parsed.grams for span in occurrences(text, gram)]
        found = {text[start:end] for start, end in spans}
        score = len(found) / len(parsed.grams) if len(found) >= parsed.required_grams else 0.0
    if score <= 0:
        return None
    first = min(start for start, _ in spans)
    times = char_times(utterance)
    return SearchHit(
        utterance_index=index,
        speaker=utterance["speaker"],
        start=times[first][0] if times else utterance["start"],
        utterance_start=utterance["start"],
        utterance_end=utterance["end"],
        snippet=make_snippet(text, spans),
        exact=score >= EXACT_WEIGHT,
        score=score,
    )
