"""What Songda asks of a postal vendor: place an order for a letter, read its tracking, check a push."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from backend.postal.enums import TraceState


class GatewayError(RuntimeError):
    """The vendor refused or could not be reached; the message is shown to the clerk."""


class InvalidPush(ValueError):
    """A pushed trace whose signature does not check: it is refused and nothing is recorded."""


@dataclass(frozen=True, slots=True)
class Letter:
    """One order: ORDER_KEY is the client's order number, the same on every retry."""

    order_key: str
    sender_name: str
    sender_address: str
    sender_phone: str
    recipient_name: str
    recipient_address: str
    recipient_phone: str
    case_number: str
    document_list: str


@dataclass(frozen=True, slots=True)
class Order:
    waybill_no: str
    cost_fen: int | None = None


@dataclass(frozen=True, slots=True)
class Trace:
    """One tracking event as the vendor reported it, with Songda's normalised state."""

    waybill_no: str
    op_time: datetime  # aware
    op_code: str
    state: TraceState
    description: str
    place: str | None = None
    operator: str | None = None
    signer: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PushAnswer:
    """What the vendor expects back from a push (status code, content type, body)."""

    status_code: int
    media_type: str
    body: str


class PostalGateway(ABC):
    name: str

    @abstractmethod
    def create_order(self, letter: Letter) -> Order:
        """Place the order (the same order_key again returns the first order) and get its waybill."""

    @abstractmethod
    def query_tracking(self, waybill_no: str) -> list[Trace]:
        """Every event of a waybill so far."""

    @abstractmethod
    def verify_push(self, body: bytes, form: dict[str, str], headers: dict[str, str]) -> list[Trace]:
        """The traces of a pushed message, or InvalidPush when its signature does not check."""

    @abstractmethod
    def push_answer(self, accepted: bool) -> PushAnswer:
        """The answer the vendor expects to a push."""

    def vendor_label(self, waybill_no: str) -> bytes | None:
        """The vendor's own printed label of a waybill as a PDF; None when it makes none (Songda prints
        its thermal label instead)."""
        return None
