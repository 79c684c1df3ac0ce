"""Backup and restore of a court's Songda: the database, the evidence and document files, the witnesses."""
