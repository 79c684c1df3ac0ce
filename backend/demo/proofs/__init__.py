"""Simulated records behind every served demo attempt: one evidence item per source, with its facts."""
