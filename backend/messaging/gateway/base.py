"""What Songda asks of an SMS or e-mail gateway: take one message, say what became of it."""

from abc import ABC, abstractmethod
from dataclasses import dataclass


class GatewayUnavailable(RuntimeError):
    """The gateway could not be reached or is down: the message stays queued and is tried again."""


class GatewayRefused(RuntimeError):
    """The gateway refused this message (bad number, unknown mailbox...): it fails, with this reason."""


@dataclass(frozen=True, slots=True)
class Submission:
    """The gateway took the message: its id there (SMS) or Message-ID (e-mail), and its reply verbatim.
    ARRIVED: the reply itself says the message reached the party's system (an SMTP server's 250; the fake
    SMS gateway, which stands for a carrier that at once reports delivery)."""

    gateway_id: str | None
    reply: str
    arrived: bool = False


class SmsGateway(ABC):
    @abstractmethod
    def send(self, *, to: str, text: str, sender: str, report_url: str) -> Submission:
        """Hand TEXT to the gateway for TO; delivery reports are to be called at REPORT_URL."""


class EmailGateway(ABC):
    @abstractmethod
    def send(self, *, to: str, subject: str, text: str, sender: str, message_id: str) -> Submission:
        """Send a plain-text mail with MESSAGE_ID to the recipient's mail server."""
