"""A served postal attempt: the EMS tracking log and the scanned receipt (or the returned envelope)."""

from datetime import datetime

from backend.deliveries.enums import AttemptOutcome
from backend.demo.proofs import images
from backend.demo.proofs.model import Scene, SimulatedItem, address_confirmation, binary_item, json_item
from backend.evidence.enums import EvidenceKind

RETURN_REASONS = ("收件人拒收", "原址无人签收，投递三次未妥投，逾期退回")


def _tracking(scene: Scene, last: str) -> list[tuple[datetime, str]]:
    return [
        (scene.started, "法院收寄（司法专邮）"),
        (scene.at(0.1, 0.3), "到达北京邮区中心局处理"),
        (scene.at(0.4, 0.6), "到达投递局"),
        (scene.at(0.7, 0.85), "投递员派送中"),
        (scene.at(0.9, 1.0), last),
    ]


def _signed_by(scene: Scene) -> str:
    return f"{scene.party.name}（本人）" if scene.is_person else f"{scene.party.name}收发室"


def postal_records(scene: Scene) -> list[SimulatedItem]:
    returned = scene.attempt.outcome is AttemptOutcome.returned
    reason = scene.rng.choice(RETURN_REASONS)
    events = _tracking(scene, f"退回妥投：{reason}" if returned else f"妥投，签收人：{_signed_by(scene)}")
    posted = {
        "waybill_number": f"11{scene.rng.randint(10**10, 10**11 - 1)}",
        "address": scene.address(),
        "posted_at": events[0][0],
        "tracking": f"共 {len(events)} 条物流轨迹，最后一条：{events[-1][1]}",
    }
    ending = (
        {"returned_at": events[-1][0], "return_reason": reason}
        if returned
        else {"delivered_at": events[-1][0]}
    )
    tracking = json_item(
        EvidenceKind.tracking,
        "ems_tracking",
        scene,
        {**posted, "events": [{"at": at, "status": status} for at, status in events]},
        {**posted, **ending},
    )
    receipt = "退回邮件封面及退回原因扫描件" if returned else f"签收回执扫描件，签收人：{_signed_by(scene)}"
    scan = binary_item(
        EvidenceKind.receipt,
        "receipt_scan",
        "image/png",
        images.receipt_scan(scene.rng),
        {"receipt": receipt},
    )
    return [tracking, scan, address_confirmation(scene, electronic=False)] if returned else [tracking, scan]
