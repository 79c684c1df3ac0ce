"""Installs the delivery channels and the reactions to signals; every process entry imports this once
(the API app, the Celery worker, the CLI, the tests), so the same channels and listeners exist everywhere."""

import backend.calls.channel
import backend.deliveries.schedule
import backend.electronic.channel
import backend.entrusted.channel
import backend.evidence.reactions
import backend.field.channel
import backend.notice.channel
import backend.pickup.channel
import backend.postal.channel  # noqa: F401
