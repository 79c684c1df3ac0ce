"""What happened to each demo delivery: a final status and the attempts that led there.

Every status path is checked against the real state machines, so the demo holds only histories the
application itself could have produced.
"""

import itertools
import random
from datetime import datetime, time, timedelta

from backend.cases.enums import CaseType
from backend.core.clock import BEIJING
from backend.deliveries.enums import AttemptOutcome as Out
from backend.deliveries.enums import AttemptStatus, DeliveryStatus
from backend.deliveries.enums import DeliveryMethod as M
from backend.deliveries.state import check_attempt_transition, check_delivery_transition
from backend.demo.contacts import apply_outcome, contact_for
from backend.demo.plan import AttemptPlan, CasePlan, DeliveryPlan, beijing
from backend.documents.enums import NOT_SERVABLE_BY_PHONE
from backend.notice.channel import NOTICE_PERIOD
from backend.parties.enums import ContactKind

Step = tuple[M, AttemptStatus, Out | None]
FAILED, DONE, OPEN, PLANNED = (
    AttemptStatus.failed,
    AttemptStatus.succeeded,
    AttemptStatus.in_progress,
    AttemptStatus.planned,
)

GROUPS = {CaseType.commercial: ("商事组", ("agent1",))}
DEFAULT_GROUP = ("民事组", ("agent2", "agent3"))
FIELD_OFFICER = "field1"

BEFORE_SUCCESS: dict[M, tuple[list[Step], ...]] = {
    M.electronic: (
        [(M.phone, FAILED, Out.electronic_consent)],
        [(M.phone, FAILED, Out.no_answer), (M.phone, FAILED, Out.electronic_consent)],
    ),
    M.pickup: (
        [(M.phone, FAILED, Out.pickup_booked)],
        [
            (M.phone, FAILED, Out.pickup_booked),
            (M.pickup, FAILED, Out.no_show),
            (M.phone, FAILED, Out.pickup_booked),
        ],
    ),
    M.postal: (
        [(M.phone, FAILED, Out.address_confirmed)],
        [(M.phone, FAILED, Out.no_answer)],
        [(M.phone, FAILED, Out.busy), (M.phone, FAILED, Out.no_answer)],
    ),
    M.phone: ([], [(M.phone, FAILED, Out.no_answer)]),
    M.field: (
        [(M.phone, FAILED, Out.wrong_number), (M.postal, FAILED, Out.returned)],
        [(M.phone, FAILED, Out.field_visit_needed)],
    ),
    M.notice: (
        [
            (M.phone, FAILED, Out.wrong_number),
            (M.postal, FAILED, Out.returned),
            (M.field, FAILED, Out.unreachable),
        ],
    ),
}
IN_PROGRESS: tuple[list[Step], ...] = (
    [(M.phone, FAILED, Out.no_answer)],
    [(M.phone, FAILED, Out.no_answer), (M.phone, FAILED, Out.busy)],
    [(M.phone, FAILED, Out.address_confirmed), (M.postal, OPEN, None)],
    [(M.phone, FAILED, Out.pickup_booked), (M.pickup, PLANNED, None)],
    [(M.phone, FAILED, Out.callback_requested), (M.phone, PLANNED, None)],
    [(M.phone, FAILED, Out.wrong_number), (M.field, PLANNED, None)],
)
UNSERVABLE: tuple[list[Step], ...] = (
    [(M.phone, FAILED, Out.wrong_number), (M.postal, FAILED, Out.returned)],
    [
        (M.phone, FAILED, Out.unreachable),
        (M.postal, FAILED, Out.returned),
        (M.field, FAILED, Out.unreachable),
    ],
)
DELIVERY_PATHS = {
    DeliveryStatus.pending: [DeliveryStatus.pending],
    DeliveryStatus.in_progress: [DeliveryStatus.pending, DeliveryStatus.in_progress],
    DeliveryStatus.served: [DeliveryStatus.pending, DeliveryStatus.in_progress, DeliveryStatus.served],
    DeliveryStatus.unservable: [
        DeliveryStatus.pending,
        DeliveryStatus.in_progress,
        DeliveryStatus.unservable,
    ],
    DeliveryStatus.cancelled: [DeliveryStatus.pending, DeliveryStatus.cancelled],
}
ATTEMPT_PATHS = {
    PLANNED: [PLANNED],
    OPEN: [PLANNED, OPEN],
    FAILED: [PLANNED, OPEN, FAILED],
    DONE: [PLANNED, OPEN, DONE],
    AttemptStatus.cancelled: [PLANNED, AttemptStatus.cancelled],
}
SUCCESS_OUTCOMES = {
    M.postal: ((Out.served, 85), (Out.returned, 15)),
    M.field: ((Out.served, 80), (Out.left_with_refusal, 20)),
}
# Served only after the party answered a call (consent, booking) or on the call itself.
AFTER_AN_ANSWER = (M.phone, M.electronic, M.pickup)
# Returned mail serves only at an address the party confirmed (the postal channel's address_confirmed).
NEEDS_CONFIRMED_ADDRESS = frozenset({(M.postal, Out.returned)})
DURATION_MINUTES = {M.phone: (1, 6), M.electronic: (1, 3), M.pickup: (15, 40), M.postal: (2880, 5760),
                    M.field: (20, 90), M.notice: (5, 10), M.entrusted: (1440, 4320)}  # fmt: skip


def check_path(path: list[DeliveryStatus] | list[AttemptStatus]) -> None:
    """Raise IllegalTransition unless every step of PATH is allowed by its state machine."""
    for current, target in itertools.pairwise(path):
        if isinstance(current, DeliveryStatus):
            check_delivery_transition(current, DeliveryStatus(target))
        else:
            check_attempt_transition(AttemptStatus(current), AttemptStatus(target))


class Storyteller:
    def __init__(self, rng: random.Random, *, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.today = now.astimezone(BEIJING).date()

    def tell(self, case: CasePlan, delivery: DeliveryPlan) -> None:
        delivery.status = DeliveryStatus.served if delivery.must_serve else self.final_status(delivery)
        check_path(DELIVERY_PATHS[delivery.status])
        group, agents = GROUPS.get(case.case_type, DEFAULT_GROUP)
        delivery.agent_group = group
        if delivery.status is not DeliveryStatus.pending or self.rng.random() < 0.6:
            delivery.assignee = self.rng.choice(agents)
        performer = delivery.assignee or agents[0]
        steps = self.script(case, delivery)
        self.play(case, delivery, steps, performer)

    def final_status(self, delivery: DeliveryPlan) -> DeliveryStatus:
        if self.now - delivery.created_at < timedelta(hours=6):
            return DeliveryStatus.pending
        days_left = (delivery.deadline - self.today).days
        weights = (
            (75, 12, 0, 9, 4) if days_left < -20
            else (45, 35, 10, 5, 5) if days_left < 0
            else (20, 45, 35, 0, 0) if days_left < 10
            else (5, 35, 60, 0, 0)
        )  # fmt: skip
        statuses = (DeliveryStatus.served, DeliveryStatus.in_progress, DeliveryStatus.pending,
                    DeliveryStatus.unservable, DeliveryStatus.cancelled)  # fmt: skip
        return self.rng.choices(statuses, weights=weights)[0]

    def serving_method(self, case: CasePlan, delivery: DeliveryPlan) -> M:
        phone_allowed = all(
            case.documents[index].kind not in NOT_SERVABLE_BY_PHONE for index in delivery.documents
        )
        electronic = 50 if case.case_type is CaseType.commercial else 35
        weights = {
            M.electronic: electronic,
            M.postal: 25,
            M.pickup: 15,
            M.phone: 15 * phone_allowed,
            M.field: 8,
        }
        if (self.now - delivery.created_at).days > 80:  # deemed served 30 days after publication
            weights[M.notice] = 2
        if not self.answers_calls(case, delivery):
            weights |= dict.fromkeys(AFTER_AN_ANSWER, 0)
        if case.parties[delivery.party].first(ContactKind.address) is None:  # the mail came back
            weights[M.postal] = 0
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def script(self, case: CasePlan, delivery: DeliveryPlan) -> list[Step]:
        status = delivery.status
        if status is DeliveryStatus.served:
            method = self.serving_method(case, delivery)
            options = SUCCESS_OUTCOMES.get(method, ((Out.served, 1),))
            outcome = self.rng.choices(
                [out for out, _ in options], weights=[weight for _, weight in options]
            )[0]
            if (method, outcome) in NEEDS_CONFIRMED_ADDRESS and not self.answers_calls(case, delivery):
                outcome = Out.served  # nobody can confirm the address
            return [*self.rng.choice(self.prefixes(method, outcome)), (method, DONE, outcome)]
        if status is DeliveryStatus.in_progress:
            return list(self.rng.choice(IN_PROGRESS))
        if status is DeliveryStatus.unservable:
            return list(self.rng.choice(UNSERVABLE))
        if status is DeliveryStatus.pending and self.rng.random() < 0.4:
            return [(M.phone, PLANNED, None)]
        if status is DeliveryStatus.cancelled and self.rng.random() < 0.5:
            return [(M.phone, AttemptStatus.cancelled, None)]
        return []

    @staticmethod
    def answers_calls(case: CasePlan, delivery: DeliveryPlan) -> bool:
        """Whether the party still has a number not proved wrong."""
        return case.parties[delivery.party].first(ContactKind.phone) is not None

    @staticmethod
    def prefixes(method: M, outcome: Out) -> tuple[list[Step], ...]:
        """The attempts that may come before serving by METHOD with OUTCOME."""
        options = BEFORE_SUCCESS[method]
        if (method, outcome) not in NEEDS_CONFIRMED_ADDRESS:
            return options
        return tuple(steps for steps in options if (M.phone, FAILED, Out.address_confirmed) in steps)

    def window_end(self, delivery: DeliveryPlan) -> datetime:
        latest = self.now - timedelta(hours=1)
        if delivery.status is DeliveryStatus.served:
            days = max(1.0, (delivery.deadline - delivery.created_at.date()).days + 5)
            return min(latest, delivery.created_at + timedelta(days=self.rng.uniform(0.2, days)))
        recent = max(
            delivery.created_at + timedelta(minutes=30), latest - timedelta(days=self.rng.uniform(0, 5))
        )
        return min(latest, recent)

    def timeline(self, delivery: DeliveryPlan, methods: list[M]) -> list[tuple[datetime, datetime]]:
        """Start and end of each finished attempt, in order, inside the delivery's window."""
        start = delivery.created_at + timedelta(minutes=10)
        durations = [timedelta(minutes=self.rng.uniform(*DURATION_MINUTES[method])) for method in methods]
        free = self.window_end(delivery) - start - sum(durations, timedelta())
        free = max(free, timedelta(minutes=10 * len(methods)))
        weights = [self.rng.random() + 0.1 for _ in methods]
        times, moment = [], start
        for weight, duration in zip(weights, durations, strict=True):
            began = moment + free * weight / sum(weights)
            moment = began + duration
            times.append((began, moment))
        limit = self.now - timedelta(minutes=5)
        if moment <= limit:
            return times
        factor = (limit - start) / (moment - start)
        return [
            (start + (began - start) * factor, start + (ended - start) * factor) for began, ended in times
        ]

    def play(self, case: CasePlan, delivery: DeliveryPlan, steps: list[Step], performer: str) -> None:
        times = iter(
            self.timeline(delivery, [method for method, status, _ in steps if status in (FAILED, DONE)])
        )
        party = case.parties[delivery.party]
        previous_end = delivery.created_at
        for method, status, outcome in steps:
            check_path(ATTEMPT_PATHS[status])
            attempt = AttemptPlan(method, status, outcome, contact_for(party, method), performer)
            if method is M.field:
                attempt.performer = FIELD_OFFICER
            if status in (FAILED, DONE):
                attempt.planned_at, attempt.ended_at = next(times)
                attempt.started_at = attempt.planned_at
                if status is DONE and method is M.notice:
                    attempt.ended_at = self.notice_falls_due(attempt)
                apply_outcome(party, attempt)
            else:
                self.time_open(attempt, previous_end)
            previous_end = attempt.ended_at or attempt.started_at or previous_end
            delivery.attempts.append(attempt)

    def notice_falls_due(self, attempt: AttemptPlan) -> datetime:
        """A notice is served once its 30 days have passed: the morning the router finds it due."""
        assert attempt.started_at is not None
        published = attempt.started_at.astimezone(BEIJING).date()
        due = beijing(published + NOTICE_PERIOD, time(8, self.rng.randint(0, 59)))
        return min(due, self.now - timedelta(hours=1))

    def time_open(self, attempt: AttemptPlan, previous_end: datetime) -> None:
        if attempt.status is OPEN:
            attempt.planned_at = attempt.started_at = max(previous_end, self.now - timedelta(hours=20))
        else:
            attempt.planned_at = self.now + timedelta(hours=self.rng.uniform(2, 48))
