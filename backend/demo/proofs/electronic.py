"""A served electronic attempt: the consent, the platform's delivery report and its view log."""

from backend.demo.proofs.model import Scene, SimulatedItem, address_confirmation, json_item
from backend.evidence.enums import EvidenceKind

SMS_SENDER = "12368 诉讼服务短信平台"
MAIL_SENDER = "songda-service@court.demo"


def electronic_records(scene: Scene) -> list[SimulatedItem]:
    recipient = scene.address()
    sent_at = scene.at(0.05, 0.2)
    arrived_at = scene.at(0.25, 0.4)
    viewed_at = scene.at(0.6, 0.95)
    report = {
        "sender": MAIL_SENDER if "@" in recipient else SMS_SENDER,
        "recipient_address": recipient,
        "sent_at": sent_at,
        "document_names": "、".join(name for name, _ in scene.documents),
        "confirmed_address_arrival_at": arrived_at,
    }
    view = {"viewed_at": viewed_at}
    view_body = {
        **view,
        "ip": f"10.{scene.rng.randint(0, 255)}.{scene.rng.randint(0, 255)}.{scene.rng.randint(1, 254)}",
    }
    view_body["device"] = scene.rng.choice(("iPhone / 微信", "Android / 浏览器", "Windows / Edge"))
    return [
        address_confirmation(scene, electronic=True),
        json_item(EvidenceKind.delivery_report, "delivery_report", scene, report, report),
        json_item(EvidenceKind.other, "view_log", scene, view_body, view),
    ]
