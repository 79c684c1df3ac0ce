from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.database import Base, enum_column, utcnow
from backend.transcripts.enums import FlagCategory, FlagReview, TranscriptStatus


class Transcript(Base):
    """The transcript of one recorded call: its processing state and, once done, the dialogue."""

    __tablename__ = "transcript"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_record_id: Mapped[int] = mapped_column(ForeignKey("call_record.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    status: Mapped[TranscriptStatus] = mapped_column(
        enum_column(TranscriptStatus), default=TranscriptStatus.pending, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    # The dialogue as in the evidence item: [{speaker, speaker_label, start, end, text, confidence, words}].
    utterances: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text, default="")  # the words of the call, for search and display
    engine: Mapped[str | None] = mapped_column(String(100))
    audio_seconds: Mapped[float | None]
    processing_seconds: Mapped[float | None]

    # Who is working on it: a worker's claim token and its last heartbeat (a stale one is taken over).
    claim_token: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TranscriptGram(Base):
    """Search index: one character unigram or bigram of a transcript and how often it occurs."""

    __tablename__ = "transcript_gram"

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcript.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    occurrences: Mapped[int]


class TranscriptFlag(Base):
    """A key phrase found in a transcript: a hint for a human reviewer, never a legal outcome by itself."""

    __tablename__ = "transcript_flag"
    __table_args__ = (UniqueConstraint("transcript_id", "category", "utterance_index", "char_offset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    category: Mapped[FlagCategory] = mapped_column(enum_column(FlagCategory), index=True)
    phrase: Mapped[str] = mapped_column(String(50))
    speaker: Mapped[str] = mapped_column(String(10))
    utterance_index: Mapped[int]
    char_offset: Mapped[int]  # where the phrase starts in the utterance text
    start: Mapped[float]  # seconds from the start of the recording
    end: Mapped[float]
    utterance_text: Mapped[str] = mapped_column(Text)
    review_status: Mapped[FlagReview] = mapped_column(enum_column(FlagReview), default=FlagReview.open)
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
