"""Songda (送达) backend: FastAPI + SQLAlchemy, one package per domain."""
