"""Court-to-court entrusted delivery (委托送达): the entrusted channel."""
