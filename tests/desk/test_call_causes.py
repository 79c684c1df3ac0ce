"""A call's Q.850 release cause reaches the desk in words (正常挂机, 用户忙...), not as a bare number."""

from datetime import UTC, datetime

from backend.desk.live_calls import LiveCallBoard
from telephony.causes import CAUSE_LABELS, cause_label
from telephony.events import CallEnded, CallOriginated

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def test_every_common_cause_has_chinese_words_and_an_unknown_one_its_number() -> None:
    assert cause_label(16) == "正常挂机" and cause_label(17) == "用户忙" and cause_label(21) == "呼叫被拒绝"
    assert cause_label(None) is None and cause_label(250) == "原因码 250"
    assert all(any("\u4e00" <= char <= "\u9fff" for char in text) for text in CAUSE_LABELS.values())


def test_the_live_board_sends_the_cause_in_words_when_a_call_ends() -> None:
    board = LiveCallBoard()
    board.apply(CallOriginated(call_id="c1", at=AT, agent_endpoint="web7001", number="13800138000"), None)
    ended = board.apply(
        CallEnded(
            call_id="c1", at=AT, agent_answered=True, party_answered=False, dial_status="BUSY", cause=17
        ),
        None,
    )
    assert ended is not None
    assert ended["outcome"] == "busy" and ended["cause"] == 17 and ended["cause_label"] == "用户忙"
