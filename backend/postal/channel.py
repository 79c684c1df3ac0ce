"""The postal channel (EMS 司法专邮): served on signature, or on return/refusal at a confirmed address."""

from types import MappingProxyType

from backend.deliveries.channels import DeliveryChannel, RequiredFact, register
from backend.deliveries.enums import AttemptOutcome, DeliveryMethod
from backend.parties.enums import ContactKind

POSTED = (
    RequiredFact("waybill_number", "EMS 邮件号"),
    RequiredFact("address", "收件地址"),
    RequiredFact("posted_at", "交寄时间"),
    RequiredFact("tracking", "物流轨迹"),
)
RETURNED = (
    *POSTED,
    RequiredFact("address_confirmed", "收件地址经当事人确认", must_be="是"),
    RequiredFact("returned_at", "退回/拒收日期"),
    RequiredFact("return_reason", "退回/拒收原因"),
    RequiredFact("receipt", "退回邮件或回执扫描件"),
)


class PostalChannel(DeliveryChannel):
    method = DeliveryMethod.postal
    contact_kinds = (ContactKind.address,)
    facts_by_outcome = MappingProxyType(
        {
            AttemptOutcome.served: (
                *POSTED,
                RequiredFact("delivered_at", "妥投时间"),
                RequiredFact("receipt", "签收回执（签收人）"),
            ),
            AttemptOutcome.returned: RETURNED,
            AttemptOutcome.refused: RETURNED,
        }
    )
    service_moments = ("delivered_at", "returned_at")


register(PostalChannel())
