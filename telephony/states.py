"""The one state machine of a call: its states, the transitions between them, and the event that moves a
call into each. Telephony's live tracker, the call record (backend/calls) and the desk all advance a call
with `advance`, so a call has one state wherever it is read; hold and recording are flags beside it."""

from enum import StrEnum

from telephony.events import (
    AgentAnswered,
    AgentRinging,
    CallEnded,
    CallEvent,
    CallOriginated,
    PartyAnswered,
    PartyDialled,
    PartyRinging,
)


class CallState(StrEnum):
    originating = "originating"  # Songda asked Asterisk to ring the agent
    agent_ringing = "agent_ringing"
    agent_connected = "agent_connected"  # the agent answered; the party is not dialled yet
    party_dialling = "party_dialling"
    party_ringing = "party_ringing"
    talking = "talking"  # the party answered (on hold or not: `on_hold` says)
    ended = "ended"


CALL_STATE_LABELS = {
    CallState.originating: "正在呼叫专员",
    CallState.agent_ringing: "专员话机振铃",
    CallState.agent_connected: "专员已接听",
    CallState.party_dialling: "正在拨打对方",
    CallState.party_ringing: "对方振铃",
    CallState.talking: "通话中",
    CallState.ended: "已挂断",
}

S = CallState
# Forward only, but for a party that is dialled again (another number) while the first one rang.
TRANSITIONS: dict[CallState, frozenset[CallState]] = {
    S.originating: frozenset(set(S) - {S.originating}),
    S.agent_ringing: frozenset({S.agent_connected, S.party_dialling, S.party_ringing, S.talking, S.ended}),
    S.agent_connected: frozenset({S.party_dialling, S.party_ringing, S.talking, S.ended}),
    S.party_dialling: frozenset({S.party_ringing, S.talking, S.ended}),
    S.party_ringing: frozenset({S.party_dialling, S.talking, S.ended}),
    S.talking: frozenset({S.ended}),
    S.ended: frozenset(),
}

_TARGETS: dict[type[CallEvent], CallState] = {
    CallOriginated: S.originating,
    AgentRinging: S.agent_ringing,
    AgentAnswered: S.agent_connected,
    PartyDialled: S.party_dialling,
    PartyRinging: S.party_ringing,
    PartyAnswered: S.talking,
    CallEnded: S.ended,
}


def target_of(event: CallEvent) -> CallState | None:
    """The state EVENT moves a call into, or None. A call ends with CallEnded (which the live tracker
    derives when the agent leg hangs up), so that `ended` always comes with the call's outcome."""
    return _TARGETS.get(type(event))


def advance(current: CallState, event: CallEvent) -> CallState:
    """The call's state after EVENT: its target when the machine allows that move, else unchanged (a late
    or repeated event never moves a call back)."""
    target = target_of(event)
    return target if target is not None and target in TRANSITIONS[current] else current


def is_live(state: CallState) -> bool:
    return state is not S.ended
