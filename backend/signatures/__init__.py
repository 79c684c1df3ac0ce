"""Signatures captured on a screen (window, e-delivery, field): strokes JSON and PNG kept as evidence."""
