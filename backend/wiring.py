"""Installs every ORM mapper, the delivery channels, the reactions to signals and the periodic jobs; every
process entry imports this once (the API app, the Celery worker, the CLI, the tests), so the same models,
channels and listeners exist everywhere."""
# ruff: noqa: F401  (imported for what they register)

import backend.calls.channel
import backend.deliveries.schedule
import backend.desk.reactions
import backend.desk.schedule
import backend.electronic.channel
import backend.electronic.reactions
import backend.electronic.schedule
import backend.entrusted.channel
import backend.field.channel
import backend.field.schedule
import backend.intake.schedule
import backend.messaging.schedule
import backend.models
import backend.notice.channel
import backend.pickup.channel
import backend.pickup.schedule
import backend.portal.schedule
import backend.postal.channel
import backend.postal.schedule
import backend.proofs.reactions
import backend.transcripts.reactions
