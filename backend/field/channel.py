"""The field channel (直接/外出送达): served in person, or left after a refusal (留置送达) with a witness."""

from types import MappingProxyType

from backend.deliveries.channels import DeliveryChannel, RequiredFact, register
from backend.deliveries.enums import AttemptOutcome, DeliveryMethod
from backend.parties.enums import ContactKind

VISIT = (
    RequiredFact("address", "送达地址"),
    RequiredFact("gps", "到达时的 GPS 位置"),
    RequiredFact("visited_at", "到达时间"),
    RequiredFact("officer", "送达人员"),
    RequiredFact("mileage_km", "本次里程（公里）"),
)


class FieldChannel(DeliveryChannel):
    method = DeliveryMethod.field
    contact_kinds = (ContactKind.address,)
    facts_by_outcome = MappingProxyType(
        {
            AttemptOutcome.served: (
                *VISIT,
                RequiredFact("received_by", "签收人（本人或同住成年家属）"),
                RequiredFact("signature", "签收人签名"),
                RequiredFact("photo", "现场照片或视频", alternatives=("video",)),
            ),
            AttemptOutcome.left_with_refusal: (
                *VISIT,
                RequiredFact("refusal_note", "拒收情况"),
                RequiredFact(
                    "witness", "见证人或拍照/录像记录", alternatives=("refusal_photo", "refusal_video")
                ),
            ),
        }
    )
    service_moments = ("visited_at",)


register(FieldChannel())
