"""What the messaging domain announces: a message tied to an attempt moved on (submitted, delivered,
failed); the attempt's method package (backend.electronic) reads the message and records its facts."""

from dataclasses import dataclass

from backend.core.signals import Signal


@dataclass(frozen=True, slots=True)
class MessageProgressed(Signal):
    message_id: int
