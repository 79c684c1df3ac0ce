"""The agent desk: work queues, task locks, presence, dispositions of calls, court pickup windows."""
