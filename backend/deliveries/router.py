"""DeliveryRouter: which method comes next, and by when it must start (the contract's rules).

Each rule is a small named function from a RoutingContext to a method, or None when it does not apply;
the first rule that answers wins. After any failed attempt of any method the next one is planned with a
start-by no later than 24 hours after the failure.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.cases.enums import CaseType
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.documents.enums import NOT_SERVABLE_BY_PHONE
from backend.parties.enums import ContactKind
from backend.parties.models import usable_contact_points

SWITCH_WITHIN = timedelta(hours=24)
MAX_PHONE_FAILURES = 3
# How soon a failed call is tried again; a retry that would fall after the 24-hour window switches method.
RETRY_DELAYS = {
    AttemptOutcome.no_answer: timedelta(hours=2),
    AttemptOutcome.busy: timedelta(minutes=30),
    AttemptOutcome.call_failed: timedelta(minutes=15),
    AttemptOutcome.agent_no_answer: timedelta(0),  # the agent's phone did not answer: the party was not tried
    AttemptOutcome.answered: timedelta(0),
    AttemptOutcome.wrong_number: timedelta(0),  # try the party's other numbers right away
    AttemptOutcome.unreachable: timedelta(0),
}
DEFAULT_RETRY_DELAY = timedelta(hours=1)


def retry_delay(outcome: AttemptOutcome | None) -> timedelta:
    return RETRY_DELAYS.get(outcome, DEFAULT_RETRY_DELAY) if outcome else DEFAULT_RETRY_DELAY


# Failures where the party was tried and not reached, or refused: they count towards switching method.
PARTY_FAILURES = frozenset(
    {
        AttemptOutcome.no_answer,
        AttemptOutcome.busy,
        AttemptOutcome.rejected,
        AttemptOutcome.refused,
        AttemptOutcome.wrong_number,
        AttemptOutcome.unreachable,
        AttemptOutcome.nobody_home,
        AttemptOutcome.moved,
        AttemptOutcome.wrong_address,
    }
)


@dataclass(frozen=True, slots=True)
class RoutingContext:
    """What the rules look at: the delivery, the failure being answered (if any), and the moment."""

    delivery: Delivery
    failed: DeliveryAttempt | None
    now: datetime
    consents_to_electronic: bool

    @property
    def case_type(self) -> CaseType:
        return self.delivery.case.case_type

    def failed_methods(self) -> set[DeliveryMethod]:
        return {a.method for a in self.delivery.attempts if a.status is AttemptStatus.failed}

    def phone_failures(self) -> list[DeliveryAttempt]:
        return [
            a
            for a in self.delivery.attempts
            if a.method is DeliveryMethod.phone
            and a.status is AttemptStatus.failed
            and a.outcome in PARTY_FAILURES
        ]

    def has(self, kind: ContactKind) -> bool:
        return bool(usable_contact_points(self.delivery.party, kind))

    def phone_may_serve(self) -> bool:
        return not any(document.kind in NOT_SERVABLE_BY_PHONE for document in self.delivery.documents)

    def clock_start(self) -> datetime:
        """When the 24-hour clock began: the failure, or the first of a run of phone failures."""
        if self.failed is None:
            return self.now
        if self.failed.method is DeliveryMethod.phone:
            ended = [a.ended_at for a in self.phone_failures() if a.ended_at is not None]
            return min(ended, default=self.failed.ended_at or self.now)
        return self.failed.ended_at or self.now


@dataclass(frozen=True, slots=True)
class Route:
    """The next attempt: its method, the latest moment it may start, and the rule that chose it."""

    method: DeliveryMethod
    start_by: datetime
    rule: str


Rule = Callable[[RoutingContext], DeliveryMethod | None]


def electronic_first_for_confirmed_commercial(ctx: RoutingContext) -> DeliveryMethod | None:
    """A commercial case whose party confirmed an e-delivery address is served electronically (100 %)."""
    if ctx.case_type is CaseType.commercial and ctx.consents_to_electronic:
        return None if DeliveryMethod.electronic in ctx.failed_methods() else DeliveryMethod.electronic
    return None


def electronic_where_consented(ctx: RoutingContext) -> DeliveryMethod | None:
    """Any party who consented to e-delivery gets it before paper, until it fails."""
    if ctx.consents_to_electronic and DeliveryMethod.electronic not in ctx.failed_methods():
        return DeliveryMethod.electronic
    return None


def phone_retry_within_window(ctx: RoutingContext) -> DeliveryMethod | None:
    """A phone failure is tried again while the 24-hour window lasts (at most MAX_PHONE_FAILURES calls),
    never after a refusal, and never for judgments and the like."""
    failed = ctx.failed
    if failed is None or failed.method is not DeliveryMethod.phone or not ctx.phone_may_serve():
        return None
    if failed.outcome is AttemptOutcome.refused or not ctx.has(ContactKind.phone):
        return None
    if len(ctx.phone_failures()) >= MAX_PHONE_FAILURES:
        return None
    in_window = ctx.now + retry_delay(failed.outcome) < ctx.clock_start() + SWITCH_WITHIN
    return DeliveryMethod.phone if in_window else None


def postal_to_a_usable_address(ctx: RoutingContext) -> DeliveryMethod | None:
    """EMS court mail to a usable address, unless the post already failed."""
    if ctx.has(ContactKind.address) and DeliveryMethod.postal not in ctx.failed_methods():
        return DeliveryMethod.postal
    return None


def field_visit_to_a_known_address(ctx: RoutingContext) -> DeliveryMethod | None:
    """In person at a known address, unless a visit already failed."""
    if ctx.has(ContactKind.address) and DeliveryMethod.field not in ctx.failed_methods():
        return DeliveryMethod.field
    return None


def phone_to_reach_the_party(ctx: RoutingContext) -> DeliveryMethod | None:
    """Before publishing a notice, call a usable number (for an address or consent) while calls remain."""
    if not ctx.has(ContactKind.phone) or not ctx.phone_may_serve():
        return None
    refused = any(a.outcome is AttemptOutcome.refused for a in ctx.phone_failures())
    return None if refused or len(ctx.phone_failures()) >= MAX_PHONE_FAILURES else DeliveryMethod.phone


def notice_as_last_resort(ctx: RoutingContext) -> DeliveryMethod | None:
    """公告送达 when every other way has failed (deemed served 30 days after publication)."""
    return None if DeliveryMethod.notice in ctx.failed_methods() else DeliveryMethod.notice


RULES: tuple[Rule, ...] = (
    electronic_first_for_confirmed_commercial,
    electronic_where_consented,
    phone_retry_within_window,
    postal_to_a_usable_address,
    field_visit_to_a_known_address,
    phone_to_reach_the_party,
    notice_as_last_resort,
)


def next_route(ctx: RoutingContext) -> Route | None:
    """The first rule's answer, with a start-by at most 24 h after the failure (None: nothing left)."""
    start_by = max(ctx.clock_start() + SWITCH_WITHIN, ctx.now)
    for rule in RULES:
        method = rule(ctx)
        if method is not None:
            return Route(method=method, start_by=start_by, rule=rule.__name__)
    return None


def first_route(ctx: RoutingContext) -> Route | None:
    """For a new delivery: only the rule that fixes the first method (confirmed commercial e-delivery)."""
    method = electronic_first_for_confirmed_commercial(ctx)
    return (
        Route(method=method, start_by=ctx.now, rule="electronic_first_for_confirmed_commercial")
        if method
        else None
    )
