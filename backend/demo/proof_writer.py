"""The evidence behind every served demo attempt, stored through the evidence store (so it is chained),
and the facts resting on it, written in one INSERT.

Facts skip backend.evidence.facts.record_fact (five queries each) because every item was stored a moment
before for the same case and attempt; `songda evidence audit` checks the result like any other.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from backend.deliveries.enums import AttemptStatus
from backend.deliveries.models import AttemptFact
from backend.demo.plan import AttemptPlan, CasePlan, DeliveryPlan
from backend.demo.proofs import records
from backend.demo.proofs.model import DEMO_NOTE, Scene
from backend.evidence.facts import fact_text
from backend.evidence.service import store_evidence

SYSTEM = "demo"


@dataclass(frozen=True, slots=True)
class PlacedAttempt:
    """A planned attempt with the ids it was written under."""

    case_id: int
    attempt_id: int
    attempt: AttemptPlan


class ProofWriter:
    def __init__(
        self, db_session: Session, *, rng: random.Random, court_name: str, performers: dict[str, str]
    ):
        self.db_session = db_session
        self.rng = rng
        self.court_name = court_name
        self.performers = performers

    def prepare(self, plans: list[CasePlan], files: list[list[tuple[str, str]]]) -> None:
        """Give every served attempt its records and the legal service date its channel derives."""
        for plan, documents in zip(plans, files, strict=True):
            for delivery in plan.deliveries:
                for index, attempt in enumerate(delivery.attempts):
                    if attempt.status is AttemptStatus.succeeded:
                        scene = self._scene(plan, delivery, index, documents)
                        attempt.records = records.simulate(scene)
                        facts = records.stated_facts(attempt.records)
                        attempt.legal_service_date = records.legal_service_date(attempt, facts)

    def _scene(
        self, plan: CasePlan, delivery: DeliveryPlan, index: int, documents: list[tuple[str, str]]
    ) -> Scene:
        attempt = delivery.attempts[index]
        party = plan.parties[delivery.party]
        return Scene(
            rng=self.rng,
            court_name=self.court_name,
            case_number=plan.case_number,
            party=party,
            attempt=attempt,
            earlier=delivery.attempts[:index],
            contact=None if attempt.contact is None else party.contacts[attempt.contact].value,
            documents=[documents[number] for number in delivery.documents],
            performer=self.performers[attempt.performer],
        )

    def write(self, placed: Iterable[PlacedAttempt]) -> int:
        """Store the records of every served attempt and the facts on them; returns the item count."""
        facts: list[dict[str, Any]] = []
        stored = 0
        for place in placed:
            for item in place.attempt.records:
                evidence = store_evidence(
                    db_session=self.db_session,
                    case_id=place.case_id,
                    kind=item.kind,
                    content_type=item.content_type,
                    content=item.content,
                    metadata={"type": item.record_type, "demo": True, "note": DEMO_NOTE},
                    created_by_system=SYSTEM,
                    attempt_id=place.attempt_id,
                )
                stored += 1
                facts += [
                    {
                        "attempt_id": place.attempt_id,
                        "key": key,
                        "value": fact_text(value),
                        "evidence_id": evidence.id,
                        "recorded_by_system": SYSTEM,
                    }
                    for key, value in item.facts.items()
                ]
        if facts:
            self.db_session.execute(insert(AttemptFact), facts)
        return stored
