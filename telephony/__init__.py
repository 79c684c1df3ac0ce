"""Telephony: Asterisk provisioning, AMI call control and the headless agent softphone."""
