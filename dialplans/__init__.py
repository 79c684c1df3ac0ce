"""Asterisk configuration for Songda: templates and the renderer (dialplans.render)."""
