"""A served notice: the publication record (deemed served 30 days after publication)."""

from backend.demo.proofs.model import Scene, SimulatedItem, json_item
from backend.evidence.enums import EvidenceKind

PUBLICATION = "人民法院公告网（演示）"


def notice_records(scene: Scene) -> list[SimulatedItem]:
    published_on = scene.started.date()
    documents = "、".join(name for name, _ in scene.documents)
    text = (
        f"{scene.party.name}：本院受理{scene.case_number}一案，现依法向你公告送达{documents}。"
        "自公告之日起经过三十日，即视为送达。"
    )
    facts = {"publication": PUBLICATION, "published_on": published_on, "notice_text": text}
    body = {**facts, "published_at": scene.started}
    return [json_item(EvidenceKind.other, "notice_publication", scene, body, facts)]
