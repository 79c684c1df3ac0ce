from enum import StrEnum


class EvidenceKind(StrEnum):
    recording_mix = "recording_mix"
    recording_agent = "recording_agent"
    recording_party = "recording_party"
    transcript = "transcript"
    proof_pdf = "proof_pdf"
    photo = "photo"
    video = "video"
    signature = "signature"
    receipt = "receipt"
    tracking = "tracking"
    delivery_report = "delivery_report"
    address_confirmation = "address_confirmation"
    call_record = "call_record"
    authorisation = "authorisation"  # a scan of the 授权委托书 an agent or lawyer showed
    other = "other"


EVIDENCE_KIND_LABELS: dict[EvidenceKind, str] = {
    EvidenceKind.recording_mix: "通话录音（混音）",
    EvidenceKind.recording_agent: "通话录音（服务专员）",
    EvidenceKind.recording_party: "通话录音（当事人）",
    EvidenceKind.transcript: "通话转写",
    EvidenceKind.proof_pdf: "送达回证",
    EvidenceKind.photo: "照片",
    EvidenceKind.video: "视频",
    EvidenceKind.signature: "签名",
    EvidenceKind.receipt: "回执",
    EvidenceKind.tracking: "物流轨迹",
    EvidenceKind.delivery_report: "送达报告",
    EvidenceKind.address_confirmation: "送达地址确认书",
    EvidenceKind.call_record: "通话记录",
    EvidenceKind.authorisation: "授权委托书（扫描件）",
    EvidenceKind.other: "其他",
}
