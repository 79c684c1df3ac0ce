"""The search index of transcripts: their character unigrams and bigrams with counts (portable SQL)."""

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from backend.transcripts.models import Transcript, TranscriptGram
from backend.transcripts.ngrams import text_grams


def index_transcript(*, db_session: Session, transcript: Transcript) -> int:
    """(Re)build TRANSCRIPT's index rows; returns how many grams it has."""
    db_session.execute(delete(TranscriptGram).where(TranscriptGram.transcript_id == transcript.id))
    counts = text_grams(utterance["text"] for utterance in transcript.utterances)
    rows = [
        {"gram": gram, "transcript_id": transcript.id, "occurrences": count} for gram, count in counts.items()
    ]
    if rows:
        db_session.execute(insert(TranscriptGram), rows)
    return len(rows)
