"""How a call ended, from Dial()'s DIALSTATUS and the Q.850 hang-up cause."""

from backend.calls.enums import CallOutcome
from backend.deliveries.enums import AttemptOutcome

# Q.850 causes by what they mean for reaching the party.
BUSY_CAUSES = frozenset({17})  # user busy
NO_ANSWER_CAUSES = frozenset({18, 19, 20})  # no user responding, alerting no answer, subscriber absent
REJECTED_CAUSES = frozenset({21})  # call rejected
UNREACHABLE_CAUSES = frozenset({1, 3, 22, 28})  # unallocated, no route, number changed, invalid format
# The agent's own phone did not take the call: no answer, busy (DND), or declined.
AGENT_DECLINED_CAUSES = frozenset({17, 18, 19, 21})

_BY_DIAL_STATUS = {
    "ANSWER": CallOutcome.answered,
    "BUSY": CallOutcome.busy,
    "NOANSWER": CallOutcome.no_answer,
    "CANCEL": CallOutcome.no_answer,  # the agent gave up while the party's phone rang
}

_ATTEMPT_OUTCOMES = {
    CallOutcome.answered: AttemptOutcome.answered,
    CallOutcome.no_answer: AttemptOutcome.no_answer,
    CallOutcome.busy: AttemptOutcome.busy,
    CallOutcome.rejected: AttemptOutcome.rejected,
    CallOutcome.unreachable: AttemptOutcome.unreachable,
    CallOutcome.agent_no_answer: AttemptOutcome.agent_no_answer,
    CallOutcome.failed: AttemptOutcome.call_failed,
}


def outcome_from_cause(cause: int | None) -> CallOutcome:
    """The outcome a Q.850 cause alone implies about the party."""
    if cause in BUSY_CAUSES:
        return CallOutcome.busy
    if cause in NO_ANSWER_CAUSES:
        return CallOutcome.no_answer
    if cause in REJECTED_CAUSES:
        return CallOutcome.rejected
    if cause in UNREACHABLE_CAUSES:
        return CallOutcome.unreachable
    return CallOutcome.failed


def decide_outcome(
    *, agent_answered: bool, party_answered: bool, dial_status: str | None, cause: int | None
) -> CallOutcome:
    """One outcome per call; the party's answer wins, then the agent leg, then DIALSTATUS, then the cause."""
    if party_answered or dial_status == "ANSWER":
        return CallOutcome.answered
    if not agent_answered:
        return CallOutcome.agent_no_answer if cause in AGENT_DECLINED_CAUSES else CallOutcome.failed
    by_status = _BY_DIAL_STATUS.get(dial_status or "")
    if by_status is not None:
        return by_status
    return outcome_from_cause(cause)


def attempt_outcome(outcome: CallOutcome) -> AttemptOutcome:
    """The delivery-attempt outcome recorded for a call outcome."""
    return _ATTEMPT_OUTCOMES[outcome]
