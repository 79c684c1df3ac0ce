"""A served pickup: the window's hand-over record, the signed address confirmation and the signature."""

from datetime import timedelta

from backend.deliveries.enums import AttemptOutcome
from backend.demo.proofs import images
from backend.demo.proofs.model import Scene, SimulatedItem, binary_item, json_item
from backend.evidence.enums import EvidenceKind

WINDOWS = ("诉讼服务中心 2 号窗口", "诉讼服务中心 3 号窗口", "诉讼服务中心 5 号窗口")


def _identity_check(scene: Scene) -> str:
    if scene.is_person:
        tail = (scene.party.id_number or "")[-4:]
        return f"{scene.performer} 核验居民身份证（尾号 {tail}），人证一致"
    return f"{scene.performer} 核验营业执照副本、授权委托书及经办人身份证件，人证一致"


def pickup_records(scene: Scene) -> list[SimulatedItem]:
    slot = scene.started.replace(minute=scene.started.minute // 30 * 30, second=0, microsecond=0)
    booked_at = scene.call_ended(AttemptOutcome.pickup_booked)
    facts = {
        "appointment": f"{slot:%Y-%m-%d %H:%M}-{slot + timedelta(minutes=30):%H:%M} "
        f"{scene.rng.choice(WINDOWS)}（{booked_at:%m-%d %H:%M} 电话预约）",
        "identity_check": _identity_check(scene),
        "documents_handed": "；".join(f"{name}（SHA-256 {sha256}）" for name, sha256 in scene.documents),
        "handed_over_at": scene.at(0.5, 0.9),
        "clerk": scene.performer,
    }
    confirmation = {
        "address_confirmation": f"当事人当场签署送达地址确认书（{scene.party.name}）",
    }
    body = {"confirmed_at": facts["handed_over_at"], "signed_by": scene.party.name}
    return [
        json_item(EvidenceKind.other, "pickup_handover", scene, facts, facts),
        json_item(EvidenceKind.address_confirmation, "address_confirmation", scene, body, confirmation),
        binary_item(
            EvidenceKind.signature,
            "signature",
            "image/png",
            images.signature(scene.rng),
            {"signature": f"{scene.party.name} 签名（签名板采集）"},
        ),
    ]
