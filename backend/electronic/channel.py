"""The electronic channel (电子送达): needs the party's consent and a recorded moment of service.

The legal date is the arrival at an address the party confirmed (the delivery report's time); without a
confirmed address, the party's reply, first recorded view or signature (backend/portal). The channel
that processes a delivery report records `confirmed_address_arrival_at` only when the address was
confirmed, and `arrived_at` in every case.
"""

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from backend.core.clock import BEIJING
from backend.core.errors import RuleViolation
from backend.deliveries.channels import DeliveryChannel, RequiredFact, fact_time, register
from backend.deliveries.enums import AttemptOutcome, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.documents.electronic import electronic_refusal
from backend.parties.enums import ContactKind

MOMENTS = ("confirmed_address_arrival_at", "replied_at", "viewed_at", "signed_at")
ELECTRONIC_FACTS = (
    RequiredFact("consent", "当事人同意电子送达（送达地址确认书或通话录音）"),
    RequiredFact("sender", "发送号码/地址"),
    RequiredFact("recipient_address", "受送达人的手机号码/电子邮箱"),
    RequiredFact("sent_at", "发送时间"),
    RequiredFact("document_names", "送达文书名称"),
    RequiredFact(
        MOMENTS[0], "送达生效时间（到达已确认地址，或当事人回复/首次查阅/签收）", alternatives=MOMENTS[1:]
    ),
)
# What the party's system and the party did, stated on the proof when recorded (backend/portal).
PARTY_ACTS = (
    RequiredFact("arrived_at", "到达受送达人系统时间（短信状态报告/邮件服务器回执）"),
    RequiredFact("viewed_at", "首次查阅时间"),
    RequiredFact("view_log", "查阅记录（文书、页码、时间、IP、设备）"),
    RequiredFact("signed_at", "签收时间"),
    RequiredFact("signature", "受送达人签名（送达回证）"),
    RequiredFact("paper_requested", "申请纸质文书"),
)


class ElectronicChannel(DeliveryChannel):
    method = DeliveryMethod.electronic
    proof_title = "电子送达凭证"
    contact_kinds = (ContactKind.phone, ContactKind.email)
    facts_by_outcome = MappingProxyType({AttemptOutcome.served: ELECTRONIC_FACTS})
    stated_if_recorded = PARTY_ACTS

    def check_documents(self, delivery: Delivery) -> None:
        """Any kind may be served electronically (judgments, rulings, mediation too, paper on request);
        a document the court has only on paper may not (backend.documents.electronic)."""
        refusal = electronic_refusal(delivery.documents)
        if refusal is not None:
            raise RuleViolation(refusal)

    def legal_service_date(self, *, attempt: DeliveryAttempt, facts: Mapping[str, str]) -> date:
        """Arrival at a confirmed address; else the party's reply, first view or signature, whichever
        came first."""
        arrival = fact_time(facts, MOMENTS[0])
        presumed = [moment for key in MOMENTS[1:] if (moment := fact_time(facts, key)) is not None]
        moment = arrival or min(presumed)
        return moment.astimezone(BEIJING).date()


register(ElectronicChannel())
