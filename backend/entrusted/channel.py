"""The entrusted channel (委托送达): another court serves, and its proof comes back."""

from types import MappingProxyType

from backend.deliveries.channels import DeliveryChannel, RequiredFact, register
from backend.deliveries.enums import AttemptOutcome, DeliveryMethod

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
    service_moments = ("court_served_at",)


register(EntrustedChannel())
