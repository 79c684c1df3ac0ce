from enum import StrEnum


class SmsStatus(StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"
