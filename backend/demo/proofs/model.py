"""A simulated record (one demo evidence item and the facts it supports) and the scene it describes."""

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from backend.core.clock import BEIJING
from backend.deliveries.enums import AttemptOutcome
from backend.demo.people import PartyPlan
from backend.demo.plan import AttemptPlan
from backend.evidence.enums import EvidenceKind
from backend.parties.enums import PartyType

DEMO_NOTE = "演示数据：模拟生成的送达记录，并非真实送达"


@dataclass(frozen=True, slots=True)
class SimulatedItem:
    """One demo evidence item and the facts (key -> value) that rest on it."""

    kind: EvidenceKind
    record_type: str
    content_type: str
    content: bytes
    facts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Scene:
    """What the records of one served attempt may state."""

    rng: random.Random
    court_name: str
    case_number: str
    party: PartyPlan
    attempt: AttemptPlan
    earlier: list[AttemptPlan]
    contact: str | None
    documents: list[tuple[str, str]]  # (name, sha256) of each document served
    performer: str  # 李娜（agent1）

    @property
    def started(self) -> datetime:
        """The attempt's start in Beijing, to the next whole second (facts state whole seconds)."""
        assert self.attempt.started_at is not None
        moment = self.attempt.started_at.astimezone(BEIJING)
        return _whole_second(moment + timedelta(microseconds=999_999))

    @property
    def ended(self) -> datetime:
        assert self.attempt.ended_at is not None
        return _whole_second(self.attempt.ended_at.astimezone(BEIJING))

    def at(self, low: float, high: float) -> datetime:
        """A moment between fractions LOW and HIGH of the attempt's span, to the second."""
        return _whole_second(self.started + (self.ended - self.started) * self.rng.uniform(low, high))

    def address(self) -> str:
        assert self.contact is not None, f"{self.case_number}: no contact point for {self.attempt.method}"
        return self.contact

    @property
    def is_person(self) -> bool:
        return self.party.party_type is PartyType.natural_person

    def call_ended(self, outcome: AttemptOutcome) -> datetime:
        """When the last earlier call with OUTCOME ended (consent, address confirmed, pickup booked)."""
        calls = [a.ended_at for a in self.earlier if a.outcome is outcome and a.ended_at is not None]
        moment = calls[-1] if calls else self.started - timedelta(minutes=5)
        return _whole_second(moment.astimezone(BEIJING))


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _jsonable(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def json_item(
    kind: EvidenceKind, record_type: str, scene: Scene, body: dict[str, Any], facts: dict[str, Any]
) -> SimulatedItem:
    """A JSON record marked as demo material, naming the case and the party it concerns."""
    document = {
        "demo": True,
        "note": DEMO_NOTE,
        "type": record_type,
        "court": scene.court_name,
        "case_number": scene.case_number,
        "party": scene.party.name,
        **body,
    }
    content = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, default=_jsonable)
    return SimulatedItem(kind, record_type, "application/json", content.encode(), facts)


def binary_item(
    kind: EvidenceKind, record_type: str, content_type: str, content: bytes, facts: dict[str, Any]
) -> SimulatedItem:
    return SimulatedItem(kind, record_type, content_type, content, facts)


def address_confirmation(scene: Scene, *, electronic: bool) -> SimulatedItem:
    """The 送达地址确认书 the party gave on the earlier call (consent to e-delivery when ELECTRONIC)."""
    outcome = AttemptOutcome.electronic_consent if electronic else AttemptOutcome.address_confirmed
    confirmed_at = scene.call_ended(outcome)
    body = {
        "confirmed_at": confirmed_at,
        "obtained_via": "phone",
        "address": scene.contact,
        "consents_to_electronic": electronic,
        "recorded_by": scene.performer,
    }
    facts: dict[str, Any]
    if electronic:
        facts = {"consent": f"{confirmed_at:%Y-%m-%d %H:%M} 电话中同意电子送达，确认送达地址 {scene.contact}"}
    else:
        facts = {"address_confirmed": True}
    return json_item(EvidenceKind.address_confirmation, "address_confirmation", scene, body, facts)
