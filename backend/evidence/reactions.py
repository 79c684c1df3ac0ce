"""What the evidence domain does when earlier domains announce something."""

from backend.core import signals
from backend.deliveries.signals import AttemptSucceeded
from backend.evidence.proof_flow import PROOF_TASK

signals.listen(AttemptSucceeded, PROOF_TASK)  # a served attempt gets its proof once its evidence is settled
