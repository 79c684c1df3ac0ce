"""The event sink that keeps call records in step with the typed call events of this process."""

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy.orm import Session

from backend.calls import recordings
from backend.calls import service as call_service
from backend.calls.enums import RecordingStatus
from backend.calls.signals import RecordingFiled
from backend.config import Settings
from backend.core import signals
from telephony.events import CallEvent

log = logging.getLogger(__name__)

# How long MixMonitor may take to close the files after hang-up, when the recording was seen to start.
RECORDING_SETTLE_TIMEOUT = 15.0
# When no RecordingStarted was seen and no file exists yet, still look for files this long.
UNSEEN_RECORDING_TIMEOUT = 2.0
MAX_PARALLEL_RECORDING_COPIES = 4

SessionFactory = Callable[[], AbstractContextManager[Session]]


class CallRecordWriter:
    """Applies event batches in a worker thread; after each call's end, files its recordings as evidence."""

    def __init__(self, *, session_factory: SessionFactory, settings: Settings) -> None:
        self._session_factory = session_factory
        self._settings = settings
        self._copies = asyncio.Semaphore(MAX_PARALLEL_RECORDING_COPIES)
        self._finishing: set[asyncio.Task[None]] = set()

    async def __call__(self, events: list[CallEvent]) -> None:
        ended = await asyncio.to_thread(self._apply, events)
        for call_id, recording_seen in ended:
            task = asyncio.create_task(self._finish_recording(call_id, recording_seen))
            self._finishing.add(task)
            task.add_done_callback(self._finishing.discard)

    async def wait_idle(self) -> None:
        """Wait for the recording copies in progress (tests, shutdown)."""
        while self._finishing:
            await asyncio.gather(*self._finishing, return_exceptions=True)

    def _apply(self, events: list[CallEvent]) -> list[tuple[str, bool]]:
        with self._session_factory() as db_session:
            ended = call_service.apply_events(db_session=db_session, events=events)
            return [(r.call_id, r.recording_status is RecordingStatus.recording) for r in ended]

    async def _finish_recording(self, call_id: str, recording_seen: bool) -> None:
        files = recordings.source_files(call_id, settings=self._settings)
        started = recording_seen or any(path.exists() for path in files.values())  # MixMonitor creates them
        timeout = RECORDING_SETTLE_TIMEOUT if started else UNSEEN_RECORDING_TIMEOUT
        await recordings.wait_until_written(files, timeout=timeout)
        async with self._copies:
            try:
                await asyncio.to_thread(self._attach, call_id)
            except Exception:
                log.exception("could not file the recordings of call %s", call_id)

    def _attach(self, call_id: str) -> None:
        with self._session_factory() as db_session:
            record = call_service.get_call(db_session=db_session, call_id=call_id)
            if record is not None:
                recordings.attach_recordings(db_session=db_session, record=record, settings=self._settings)
                if record.recording_status is RecordingStatus.complete:  # transcripts react once committed
                    signals.announce(db_session, RecordingFiled(call_record_id=record.id))
