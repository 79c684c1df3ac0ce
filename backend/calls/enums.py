"""The call record's outcomes and recording states; the call's own states are in telephony/states.py."""

from enum import StrEnum


class CallOutcome(StrEnum):
    answered = "answered"
    no_answer = "no_answer"
    busy = "busy"
    rejected = "rejected"
    unreachable = "unreachable"  # invalid or unallocated number
    agent_no_answer = "agent_no_answer"
    failed = "failed"


class RecordingStatus(StrEnum):
    pending = "pending"  # call not over yet
    recording = "recording"
    complete = "complete"  # three files copied into evidence, with audio
    missing = "missing"  # recording never started, or its files are absent
    empty = "empty"  # files exist but hold no audio


CALL_OUTCOME_LABELS = {
    CallOutcome.answered: "已接通",
    CallOutcome.no_answer: "无人接听",
    CallOutcome.busy: "忙线",
    CallOutcome.rejected: "拒接",
    CallOutcome.unreachable: "空号/号码无效",
    CallOutcome.agent_no_answer: "专员未接听",
    CallOutcome.failed: "呼叫失败",
}

RECORDING_STATUS_LABELS = {
    RecordingStatus.pending: "待录音",
    RecordingStatus.recording: "录音中",
    RecordingStatus.complete: "录音完整",
    RecordingStatus.missing: "无录音",
    RecordingStatus.empty: "录音为空",
}
