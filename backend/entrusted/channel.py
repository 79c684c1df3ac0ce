"""The entrusted channel (委托送达): another court serves, and its proof comes back."""

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from backend.core.clock import BEIJING
from backend.deliveries.channels import DeliveryChannel, RequiredFact, fact_time, register
from backend.deliveries.enums import AttemptOutcome, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt

ENTRUSTED_FACTS = (
    RequiredFact("entrusted_court", "受托法院"),
    RequiredFact("commission_letter", "委托送达函"),
    RequiredFact("commissioned_at", "委托时间"),
    RequiredFact("court_served_at", "受托法院送达时间"),
    RequiredFact("returned_proof", "受托法院寄回的送达回证"),
)


class EntrustedChannel(DeliveryChannel):
    method = DeliveryMethod.entrusted
    proof_title = "委托送达回证"
    facts_by_outcome = MappingProxyType({AttemptOutcome.served: ENTRUSTED_FACTS})

    def legal_service_date(self, *, attempt: DeliveryAttempt, facts: Mapping[str, str]) -> date:
        moment = fact_time(facts, "court_served_at")
        assert moment is not None
        return moment.astimezone(BEIJING).date()


register(EntrustedChannel())
