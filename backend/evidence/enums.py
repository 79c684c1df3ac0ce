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
    other = "other"
