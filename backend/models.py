"""Imports every ORM model so the metadata is complete (Alembic, create_all)."""

# The flush hook that keeps the deliveries' derived facts (queue, tally, case workers) with every write.
import backend.deliveries.upkeep  # noqa: F401
from backend.audit.models import AuditLog
from backend.auth.models import AuthToken, User
from backend.calls.models import CallRecord
from backend.cases.models import Case
from backend.courts.models import Court
from backend.deliveries.models import AddressConfirmation, AttemptFact, Delivery, DeliveryAttempt, RouterAlert
from backend.desk.models import AgentPresence, Callback, TaskLock
from backend.documents.models import Document
from backend.electronic.models import ElectronicNotice
from backend.evidence.models import Evidence, EvidenceChainEntry
from backend.field.models import FieldAssignment, FieldPlace, FieldRoute, TrackPoint
from backend.intake.models import ImportJob
from backend.messaging.models import SmsOutbox
from backend.parties.models import ContactPoint, ContactPointEvent, Party
from backend.pickup.models import PickupBooking, PickupHoliday, PickupSlot, PickupTemplate, PickupWindow
from backend.portal.models import DocumentView, PaperRequest, PortalCode, PortalSession, WechatBinding
from backend.postal.models import PostalBatch, PostalItem, PrinterProfile, TrackingEvent
from backend.proofs.models import ProofOfService
from backend.transcripts.models import Transcript, TranscriptFlag, TranscriptGram

__all__ = [
    "AddressConfirmation",
    "AgentPresence",
    "AttemptFact",
    "AuditLog",
    "AuthToken",
    "CallRecord",
    "Callback",
    "Case",
    "ContactPoint",
    "ContactPointEvent",
    "Court",
    "Delivery",
    "DeliveryAttempt",
    "Document",
    "DocumentView",
    "ElectronicNotice",
    "Evidence",
    "EvidenceChainEntry",
    "FieldAssignment",
    "FieldPlace",
    "FieldRoute",
    "ImportJob",
    "PaperRequest",
    "Party",
    "PickupBooking",
    "PickupHoliday",
    "PickupSlot",
    "PickupTemplate",
    "PickupWindow",
    "PortalCode",
    "PortalSession",
    "PostalBatch",
    "PostalItem",
    "PrinterProfile",
    "ProofOfService",
    "RouterAlert",
    "SmsOutbox",
    "TaskLock",
    "TrackPoint",
    "TrackingEvent",
    "Transcript",
    "TranscriptFlag",
    "TranscriptGram",
    "User",
    "WechatBinding",
]
