"""Imports every ORM model so the metadata is complete (Alembic, create_all)."""

from backend.audit.models import AuditLog
from backend.auth.models import AuthToken, User
from backend.cases.models import Case
from backend.courts.models import Court
from backend.deliveries.models import AddressConfirmation, Delivery, DeliveryAttempt
from backend.documents.models import Document
from backend.evidence.models import Evidence
from backend.intake.models import ImportJob
from backend.parties.models import ContactPoint, ContactPointEvent, Party

__all__ = [
    "AddressConfirmation",
    "AuditLog",
    "AuthToken",
    "Case",
    "ContactPoint",
    "ContactPointEvent",
    "Court",
    "Delivery",
    "DeliveryAttempt",
    "Document",
    "Evidence",
    "ImportJob",
    "Party",
    "User",
]
