"""Which records each method's served attempt leaves, and what the real channel makes of their facts."""

from collections.abc import Callable
from datetime import date

from backend.deliveries.channels import channel_for
from backend.deliveries.enums import AttemptOutcome, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt
from backend.demo.plan import AttemptPlan
from backend.demo.proofs.electronic import electronic_records
from backend.demo.proofs.field import field_records
from backend.demo.proofs.model import Scene, SimulatedItem
from backend.demo.proofs.notice import notice_records
from backend.demo.proofs.phone import phone_records
from backend.demo.proofs.pickup import pickup_records
from backend.demo.proofs.postal import postal_records
from backend.evidence.facts import fact_text

BUILDERS: dict[DeliveryMethod, Callable[[Scene], list[SimulatedItem]]] = {
    DeliveryMethod.phone: phone_records,
    DeliveryMethod.pickup: pickup_records,
    DeliveryMethod.electronic: electronic_records,
    DeliveryMethod.postal: postal_records,
    DeliveryMethod.field: field_records,
    DeliveryMethod.notice: notice_records,
}


def stated_facts(items: list[SimulatedItem]) -> dict[str, str]:
    """Every fact the items support, in stored form."""
    return {key: fact_text(value) for item in items for key, value in item.facts.items()}


def _missing(attempt: AttemptPlan, facts: dict[str, str]) -> list[str]:
    outcome = attempt.outcome or AttemptOutcome.served
    required = channel_for(attempt.method).required_facts(outcome)
    return [fact.key for fact in required if not fact.satisfied_by(facts)]


def legal_service_date(attempt: AttemptPlan, facts: dict[str, str]) -> date:
    """The date the method's channel derives from the facts, as serving the attempt would set it."""
    stand_in = DeliveryAttempt(
        method=attempt.method, started_at=attempt.started_at, ended_at=attempt.ended_at
    )
    return channel_for(attempt.method).legal_service_date(attempt=stand_in, facts=facts)


def simulate(scene: Scene) -> list[SimulatedItem]:
    """The records of the scene's served attempt; refuses a set that would not satisfy its channel."""
    items = BUILDERS[scene.attempt.method](scene)
    missing = _missing(scene.attempt, stated_facts(items))
    if missing:
        raise AssertionError(f"demo {scene.attempt.method} records lack {missing}")
    return items
