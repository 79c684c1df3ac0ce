from enum import StrEnum


class SmsStatus(StrEnum):
    """A message's life: queued until a gateway takes it (sending while one process hands it over),
    submitted to the gateway, accepted by the carrier (SMSC) or the mail server, delivered, or failed."""

    queued = "queued"
    sending = "sending"
    submitted = "submitted"
    accepted = "accepted"
    delivered = "delivered"
    failed = "failed"
    sent = "sent"  # before the gateways: rows marked sent by hand


class MessageChannel(StrEnum):
    sms = "sms"
    email = "email"


SETTLED = frozenset({SmsStatus.delivered, SmsStatus.failed})
