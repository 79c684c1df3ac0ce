from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from backend.calls.enums import CALL_OUTCOME_LABELS, CallOutcome, RecordingStatus
from backend.transcripts.enums import (
    FLAG_CATEGORY_LABELS,
    FLAG_REVIEW_LABELS,
    TRANSCRIPT_STATUS_LABELS,
    FlagCategory,
    FlagReview,
    TranscriptStatus,
)
from telephony.states import CallState

FLAG_NOTICE = "关键词提示仅供人工复核，不自动产生任何送达结果"


class WordRead(BaseModel):
    word: str
    start: float
    end: float
    confidence: float


class UtteranceRead(BaseModel):
    speaker: Literal["agent", "party"]
    speaker_label: str
    start: float
    end: float
    text: str
    confidence: float
    words: list[WordRead] = []


class FlagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    transcript_id: int
    category: FlagCategory
    phrase: str
    speaker: str
    utterance_index: int
    char_offset: int
    start: float
    end: float
    utterance_text: str
    review_status: FlagReview
    reviewed_by_user_id: int | None
    reviewed_at: datetime | None
    review_note: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def category_label(self) -> str:
        return FLAG_CATEGORY_LABELS[self.category]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def review_label(self) -> str:
        return FLAG_REVIEW_LABELS[self.review_status]


class TranscriptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    call_record_id: int
    case_id: int
    status: TranscriptStatus
    attempts: int
    error: str | None
    evidence_id: int | None
    engine: str | None
    audio_seconds: float | None
    processing_seconds: float | None
    finished_at: datetime | None
    utterances: list[UtteranceRead]
    flags: list[FlagRead] = []
    flag_notice: str = FLAG_NOTICE

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return TRANSCRIPT_STATUS_LABELS[self.status]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def evidence_url(self) -> str | None:
        return f"/api/evidence/{self.evidence_id}/content" if self.evidence_id else None


class RecordingRead(BaseModel):
    leg: Literal["mix", "agent", "party"]
    evidence_id: int
    duration_seconds: float | None
    content_type: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_url(self) -> str:
        return f"/api/evidence/{self.evidence_id}/content"


class CaseCallRead(BaseModel):
    call_record_id: int
    call_id: str
    delivery_attempt_id: int
    agent_user_id: int
    number_dialled: str
    connected_number: str | None
    status: CallState
    outcome: CallOutcome | None
    originated_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    talk_seconds: int | None
    recording_status: RecordingStatus
    recording_seconds: float | None
    recordings: list[RecordingRead]
    transcript: TranscriptRead | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome_label(self) -> str | None:
        return CALL_OUTCOME_LABELS[self.outcome] if self.outcome else None


class FlagReviewCreate(BaseModel):
    decision: Literal[FlagReview.confirmed, FlagReview.dismissed]
    note: str | None = Field(default=None, max_length=500)


class SearchHitRead(BaseModel):
    utterance_index: int
    speaker: str
    speaker_label: str
    start: float
    utterance_start: float
    utterance_end: float
    snippet: str
    snippet_html: str
    highlights: list[tuple[int, int]]
    exact: bool


class SearchResultRead(BaseModel):
    transcript_id: int
    call_record_id: int
    call_id: str
    case_id: int
    case_number: str
    score: float
    hits: list[SearchHitRead]


class SearchPage(BaseModel):
    query: str
    fuzzy: bool
    results: list[SearchResultRead]
