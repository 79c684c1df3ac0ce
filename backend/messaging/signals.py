"""What the messaging domain announces: a message tied to an attempt moved on (submitted, delivered,
failed), which the attempt's method package (backend.electronic) reads to record its facts; and an e-mail
that came back undeliverable, which the desk turns into a task for an agent (backend.desk.bounces)."""

from dataclasses import dataclass

from backend.core.signals import Signal


@dataclass(frozen=True, slots=True)
class MessageProgressed(Signal):
    message_id: int


@dataclass(frozen=True, slots=True)
class MessageBounced(Signal):
    message_id: int
