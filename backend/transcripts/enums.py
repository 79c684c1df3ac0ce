from enum import StrEnum


class TranscriptStatus(StrEnum):
    pending = "pending"  # waiting for a worker (or for a retry)
    running = "running"
    done = "done"
    failed = "failed"  # gave up after the last attempt; the error says why


class FlagCategory(StrEnum):
    consent_electronic = "consent_electronic"
    address_given = "address_given"
    refusal = "refusal"
    identity_confirmed = "identity_confirmed"


class FlagReview(StrEnum):
    open = "open"  # not reviewed yet
    confirmed = "confirmed"
    dismissed = "dismissed"


TRANSCRIPT_STATUS_LABELS = {
    TranscriptStatus.pending: "等待转写",
    TranscriptStatus.running: "转写中",
    TranscriptStatus.done: "已转写",
    TranscriptStatus.failed: "转写失败",
}

FLAG_CATEGORY_LABELS = {
    FlagCategory.consent_electronic: "同意电子送达",
    FlagCategory.address_given: "提供地址",
    FlagCategory.refusal: "拒绝",
    FlagCategory.identity_confirmed: "确认身份",
}

FLAG_REVIEW_LABELS = {
    FlagReview.open: "待复核",
    FlagReview.confirmed: "已确认",
    FlagReview.dismissed: "已排除",
}


# A transcript in one of these states will not change by itself: a proof waiting for it may go ahead.
SETTLED_STATUSES = frozenset({TranscriptStatus.done, TranscriptStatus.failed})
