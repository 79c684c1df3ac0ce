"""What the proofs domain does when earlier domains announce something."""

from backend.core import signals
from backend.deliveries.signals import AttemptSucceeded
from backend.proofs.flows import PROOF_AFTER_TRANSCRIPT_TASK, PROOF_TASK
from backend.transcripts.signals import TranscriptSettled

signals.listen(AttemptSucceeded, PROOF_TASK)  # a served attempt gets its proof once its evidence is settled
signals.listen(TranscriptSettled, PROOF_AFTER_TRANSCRIPT_TASK)  # a proof may have waited for this transcript
