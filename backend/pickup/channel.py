"""The pickup channel (来院领取): served at the window once the hand-over is fully recorded."""

from types import MappingProxyType

from backend.deliveries.channels import DeliveryChannel, RequiredFact, register
from backend.deliveries.enums import AttemptOutcome, DeliveryMethod

HANDED_OVER = (
    RequiredFact("appointment", "预约时段与窗口（或现场登记）", alternatives=("walk_in",)),
    RequiredFact("identity_check", "身份核验（核验人、证件、结果）"),
    RequiredFact("documents_handed", "交付文书清单（含文件哈希）"),
    RequiredFact("handed_over_at", "交付时间"),
    RequiredFact("clerk", "经办人员"),
    RequiredFact("address_confirmation", "签署的送达地址确认书"),
)


class PickupChannel(DeliveryChannel):
    method = DeliveryMethod.pickup
    facts_by_outcome = MappingProxyType(
        {
            AttemptOutcome.served: (*HANDED_OVER, RequiredFact("signature", "受送达人签名")),
            AttemptOutcome.left_with_refusal: (
                *HANDED_OVER[:-1],
                RequiredFact("refusal_note", "拒签情况（经办人员注明）"),
                RequiredFact(
                    "witness", "见证人或拍照/录像记录", alternatives=("refusal_photo", "refusal_video")
                ),
            ),
        }
    )
    service_moments = ("handed_over_at",)


register(PickupChannel())
