"""Demo data for `songda demo`: a court's worth of plausible cases, parties, documents and deliveries."""
