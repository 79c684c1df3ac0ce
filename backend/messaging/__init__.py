"""Messages to parties through a gateway: today the SMS outbox the desk queues into."""
