"""backend.wiring installs every channel, reaction and periodic job that the entry points rely on."""

import backend.wiring  # noqa: F401
from backend.calls.signals import RecordingFiled
from backend.core import schedule, signals
from backend.deliveries.channels import installed_channels
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.signals import AttemptSucceeded
from backend.deliveries.tasks import ROUTER_PASS_TASK
from backend.proofs.flows import PROOF_AFTER_TRANSCRIPT_TASK, PROOF_TASK
from backend.transcripts.service import TRANSCRIBE_AFTER_RECORDING_TASK
from backend.transcripts.signals import TranscriptSettled


def test_every_method_has_its_channel() -> None:
    channels = installed_channels()
    assert set(channels) == set(DeliveryMethod)
    assert all(channel.method is method and channel.serving_outcomes for method, channel in channels.items())


def test_each_signal_reaches_its_later_domain() -> None:
    assert signals.listeners(AttemptSucceeded) == [PROOF_TASK]
    assert signals.listeners(RecordingFiled) == [TRANSCRIBE_AFTER_RECORDING_TASK]
    assert signals.listeners(TranscriptSettled) == [PROOF_AFTER_TRANSCRIPT_TASK]


def test_the_router_pass_is_a_periodic_job() -> None:
    assert ROUTER_PASS_TASK in {job.task_name for job in schedule.jobs()}
