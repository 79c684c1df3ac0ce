"""What the transcripts domain does when earlier domains announce something."""

from backend.calls.signals import RecordingFiled
from backend.core import signals
from backend.transcripts.service import TRANSCRIBE_AFTER_RECORDING_TASK

signals.listen(RecordingFiled, TRANSCRIBE_AFTER_RECORDING_TASK)  # a filed recording is transcribed
