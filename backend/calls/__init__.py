"""Phone calls to parties: call records, outcomes, recordings as evidence, and the call-control API."""
