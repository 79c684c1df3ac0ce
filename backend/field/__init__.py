"""Delivery in person (直接/外出送达): the field channel."""
