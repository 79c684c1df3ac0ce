"""E-delivery (电子送达): the electronic channel; the notices go out through the messaging package."""
