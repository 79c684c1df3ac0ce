"""A served field visit: the officer's visit record with GPS, the photo and the signature (or refusal)."""

from backend.deliveries.enums import AttemptOutcome
from backend.demo.proofs import images
from backend.demo.proofs.model import Scene, SimulatedItem, binary_item, json_item
from backend.evidence.enums import EvidenceKind


def _receiver(scene: Scene) -> str:
    return f"{scene.party.name}（本人）" if scene.is_person else f"{scene.party.name}工作人员（前台）"


def field_records(scene: Scene) -> list[SimulatedItem]:
    refused = scene.attempt.outcome is AttemptOutcome.left_with_refusal
    rng = scene.rng
    visit = {
        "address": scene.address(),
        "gps": f"{rng.uniform(116.20, 116.50):.4f},{rng.uniform(39.82, 40.02):.4f} ±{rng.randint(5, 20)} 米",
        "visited_at": scene.at(0.0, 0.2),
        "officer": scene.performer,
        "mileage_km": round(rng.uniform(3, 35), 1),
    }
    if refused:
        visit["refusal_note"] = f"{_receiver(scene)}拒绝签收，送达人员将文书留置于送达地址并拍照记录"
    else:
        visit["received_by"] = _receiver(scene)
    photo_key = "refusal_photo" if refused else "photo"
    items = [
        json_item(EvidenceKind.other, "field_visit", scene, visit, visit),
        binary_item(
            EvidenceKind.photo, "field_photo", "image/png", images.snapshot(rng), {photo_key: "送达现场照片"}
        ),
    ]
    if not refused:
        signature = {"signature": f"{_receiver(scene)}签名"}
        items.append(
            binary_item(EvidenceKind.signature, "signature", "image/png", images.signature(rng), signature)
        )
    return items
