"""The one state machine of a call (telephony/states.py): the moves each event makes, the moves it may not
make, and the same answers from the live tracker, the call record and the desk's board."""

from datetime import UTC, datetime

import pytest

from backend.desk.live_calls import LiveCallBoard
from telephony.events import (
    AgentAnswered,
    AgentRinging,
    CallEnded,
    CallEvent,
    CallHeld,
    CallOriginated,
    HungUp,
    Leg,
    PartyAnswered,
    PartyDialled,
    PartyRinging,
)
from telephony.live import CallTracker
from telephony.states import CALL_STATE_LABELS, TRANSITIONS, CallState, advance

S = CallState
AT = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
CALL = "c0ffee"


def _event(kind: type[CallEvent]) -> CallEvent:
    fields: dict[str, object] = {
        CallOriginated: {"agent_endpoint": "1001", "number": "13800138000"},
        AgentRinging: {"channel": "PJSIP/1001-1"},
        AgentAnswered: {"channel": "PJSIP/1001-1"},
        PartyDialled: {"channel": "PJSIP/trunk-2", "number": "13800138000"},
        PartyRinging: {"channel": "PJSIP/trunk-2"},
        PartyAnswered: {"channel": "PJSIP/trunk-2", "connected_number": None},
        CallHeld: {"channel": "PJSIP/1001-1", "on_hold": True},
        HungUp: {"channel": "PJSIP/1001-1", "leg": Leg.agent, "cause": 16, "cause_text": None},
        CallEnded: {"agent_answered": True, "party_answered": True, "dial_status": "ANSWER", "cause": 16},
    }[kind]
    return kind(call_id=CALL, at=AT, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        (S.originating, AgentRinging, S.agent_ringing),
        (S.agent_ringing, AgentAnswered, S.agent_connected),
        (S.originating, AgentAnswered, S.agent_connected),  # the ringing was missed (a resync)
        (S.agent_connected, PartyDialled, S.party_dialling),
        (S.party_dialling, PartyRinging, S.party_ringing),
        (S.party_ringing, PartyDialled, S.party_dialling),  # another number is dialled
        (S.party_ringing, PartyAnswered, S.talking),
        (S.talking, CallHeld, S.talking),  # hold is a flag beside the state
        (S.talking, PartyRinging, S.talking),  # a late event never moves a call back
        (S.talking, AgentRinging, S.talking),
        (S.agent_connected, AgentRinging, S.agent_connected),
        (S.talking, HungUp, S.talking),  # a leg hanging up is not the end: CallEnded is, with its outcome
        (S.talking, CallEnded, S.ended),
        (S.agent_ringing, CallEnded, S.ended),
        (S.ended, PartyAnswered, S.ended),
        (S.ended, CallOriginated, S.ended),
    ],
)
def test_each_event_moves_a_call_only_forward(
    state: CallState, event: type[CallEvent], after: CallState
) -> None:
    assert advance(state, _event(event)) is after


def test_every_state_has_a_label_and_only_ended_is_final() -> None:
    assert set(CALL_STATE_LABELS) == set(CallState) == set(TRANSITIONS)
    assert [state for state, moves in TRANSITIONS.items() if not moves] == [S.ended]
    assert all(S.ended in moves for state, moves in TRANSITIONS.items() if state is not S.ended)


def test_the_tracker_and_the_desk_board_agree_on_the_state() -> None:
    tracker, board = CallTracker(), LiveCallBoard()
    for kind in (CallOriginated, AgentRinging, AgentAnswered, PartyDialled, PartyRinging, PartyAnswered):
        event = _event(kind)
        tracker.apply(event)
        shown = board.apply(event, None)
        assert shown is not None and shown["state"] == tracker.calls[CALL].state.value
        assert shown["state_label"] == CALL_STATE_LABELS[tracker.calls[CALL].state]
    held = board.apply(_event(CallHeld), None)
    assert held is not None and (held["state"], held["on_hold"]) == ("talking", True)
    ended = board.apply(_event(CallEnded), None)
    assert ended is not None and (ended["state"], ended["outcome"]) == ("ended", "answered")
