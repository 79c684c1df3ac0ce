"""The road every delivery method plugs into: a DeliveryChannel per method, registered by its own package.

A channel says what an attempt of its method needs to be planned (which kind of contact point), which
outcomes can serve, the facts its proof must state for each outcome (../shared/brief/domain.md), how those
facts are gathered from its own records, the legal service date they establish, and its proof's title.
The deliveries package knows only this interface; the channels live in backend/calls (phone),
backend/pickup, backend/electronic, backend/postal, backend/field, backend/entrusted and backend/notice.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.clock import BEIJING
from backend.core.errors import InvalidRequest, RuleViolation
from backend.deliveries.enums import METHOD_LABELS, OUTCOME_LABELS, AttemptOutcome, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.parties.enums import ContactKind


@dataclass(frozen=True, slots=True)
class RequiredFact:
    """A fact the proof must state; ALTERNATIVES are other keys that satisfy it (a witness or a photo);
    MUST_BE, where set, is the only value that satisfies it (an address the party confirmed: 是)."""

    key: str
    label: str
    alternatives: tuple[str, ...] = ()
    must_be: str | None = None

    def satisfied_by(self, recorded: Mapping[str, str]) -> bool:
        return any(self._accepts(recorded.get(key)) for key in (self.key, *self.alternatives))

    def _accepts(self, value: str | None) -> bool:
        return value not in (None, "") and (self.must_be is None or value == self.must_be)


class MissingFacts(RuleViolation):
    """The attempt cannot succeed yet: facts its method requires are not recorded (HTTP 409)."""

    def __init__(self, method: DeliveryMethod, missing: list[RequiredFact]) -> None:
        self.missing = missing
        names = "、".join(fact.label for fact in missing)
        super().__init__(f"{METHOD_LABELS[method]}尚缺以下送达要件，不能认定送达成功：{names}")


class DeliveryChannel:
    """One delivery method's rules; subclasses set the class attributes and override what differs."""

    method: ClassVar[DeliveryMethod]
    proof_title: ClassVar[str] = "送达回证"
    # The kind of contact point an attempt of this method is planned at (None: none needed).
    contact_kinds: ClassVar[tuple[ContactKind, ...]] = ()
    # Outcome -> the facts its proof must state. Only these outcomes can serve.
    facts_by_outcome: ClassVar[Mapping[AttemptOutcome, tuple[RequiredFact, ...]]] = {}
    # The facts whose moment is the legal service date, in order of preference.
    service_moments: ClassVar[tuple[str, ...]] = ()
    # Facts not required, which the proof states with their evidence when they were recorded.
    stated_if_recorded: ClassVar[tuple[RequiredFact, ...]] = ()

    @property
    def serving_outcomes(self) -> frozenset[AttemptOutcome]:
        return frozenset(self.facts_by_outcome)

    def required_facts(self, outcome: AttemptOutcome) -> tuple[RequiredFact, ...]:
        """The facts a proof of OUTCOME must state; an outcome that cannot serve is InvalidRequest (422)."""
        if outcome not in self.facts_by_outcome:
            label = OUTCOME_LABELS.get(outcome, outcome.value)
            raise InvalidRequest(f"{METHOD_LABELS[self.method]}的结果「{label}」不能作为送达成功的结果")
        return self.facts_by_outcome[outcome]

    def check_documents(self, delivery: Delivery) -> None:
        """Refuse documents this method may not serve (RuleViolation); every document is allowed here."""

    def gather_facts(self, *, db_session: Session, attempt: DeliveryAttempt, actor: User | None) -> None:
        """Record the facts this channel can read from its own records (call records, reports...)."""

    def legal_service_date(self, *, attempt: DeliveryAttempt, facts: Mapping[str, str]) -> date:
        """The date service took effect in law: the first recorded service moment (else the attempt's end)."""
        moments = [moment for key in self.service_moments if (moment := fact_time(facts, key)) is not None]
        ended = moments[0] if moments else attempt.ended_at or attempt.started_at
        assert ended is not None
        return ended.astimezone(BEIJING).date()


def fact_time(facts: Mapping[str, str], key: str) -> datetime | None:
    """A recorded moment (ISO text) as a datetime, if the fact is there."""
    value = facts.get(key)
    return datetime.fromisoformat(value) if value else None


_CHANNELS: dict[DeliveryMethod, DeliveryChannel] = {}


def register(channel: DeliveryChannel) -> DeliveryChannel:
    """Install CHANNEL for its method (each channel package calls this once, at import)."""
    _CHANNELS[channel.method] = channel
    return channel


def channel_for(method: DeliveryMethod) -> DeliveryChannel:
    try:
        return _CHANNELS[method]
    except KeyError:
        raise LookupError(f"no channel installed for {method.value}: import backend.wiring first") from None


def installed_channels() -> dict[DeliveryMethod, DeliveryChannel]:
    return dict(_CHANNELS)
