"""Proofs of service (送达回证): made once an attempt is served and its evidence settled, verifiable by QR."""
