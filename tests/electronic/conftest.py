"""The messaging fixtures (tests/messaging/fixtures.py): Kannel, aiosmtpd, an empty evidence directory."""

from tests.messaging.fixtures import empty_evidence_dir, kannel, kannel_session, smtp  # noqa: F401
