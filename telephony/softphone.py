"""A headless agent softphone on pyVoIP: registers, answers, speaks a WAV, records what it hears."""

import tempfile
import threading
import time
import zlib
from pathlib import Path
from types import TracebackType

from pyVoIP.VoIP import CallState, VoIPCall
from pyVoIP.VoIP.status import PhoneStatus

from telephony.audio import pcm16_to_unsigned8, read_wav_pcm16, unsigned8_to_pcm16, write_wav_pcm16
from telephony.pyvoip_patches import SongdaVoIPPhone

# Asterisk uses 5060 and RTP 10000-20000: each softphone gets its own ports above both.
SIP_PORT_BASE = 25000
RTP_PORT_BASE = 26000
RTP_PORTS_PER_PHONE = 10


def default_ports(extension: str) -> tuple[int, int, int]:
    """(sip port, RTP low, RTP high) for an extension, distinct per extension number."""
    slot = int(extension) % 1000 if extension.isdigit() else zlib.crc32(extension.encode()) % 1000
    rtp_low = RTP_PORT_BASE + slot * RTP_PORTS_PER_PHONE
    return SIP_PORT_BASE + slot, rtp_low, rtp_low + RTP_PORTS_PER_PHONE - 1


class AgentSoftphone:
    """One agent's phone. Events: `ringing`, `answered`, `ended`; `received_audio_path` after a call."""

    def __init__(
        self,
        *,
        extension: str,
        password: str,
        server: str = "127.0.0.1",
        server_port: int = 5060,
        auto_answer: bool = True,
        voice_wav: Path | None = None,
        received_wav: Path | None = None,
        ports: tuple[int, int, int] | None = None,
    ) -> None:
        self.extension = extension
        self.auto_answer = auto_answer
        self.voice_wav = voice_wav
        default_wav = Path(tempfile.gettempdir()) / f"songda-softphone-{extension}-received.wav"
        self.received_audio_path = received_wav or default_wav
        self.ringing = threading.Event()
        self.answered = threading.Event()
        self.ended = threading.Event()
        self.call: VoIPCall | None = None
        sip_port, rtp_low, rtp_high = ports or default_ports(extension)
        self._phone = SongdaVoIPPhone(
            server,
            server_port,
            extension,
            password,
            myIP="127.0.0.1",
            callCallback=self._on_incoming_call,
            sipPort=sip_port,
            rtpPortLow=rtp_low,
            rtpPortHigh=rtp_high,
            on_remote_hangup=self._on_remote_hangup,
        )

    def start(self, *, timeout: float = 10.0) -> None:
        """Register with Asterisk; raise if registration does not succeed in time."""
        self._phone.start()
        deadline = time.monotonic() + timeout
        while self._phone.get_status() != PhoneStatus.REGISTERED:
            if time.monotonic() > deadline or self._phone.get_status() == PhoneStatus.FAILED:
                self.stop()
                raise RuntimeError(f"softphone {self.extension} did not register")
            time.sleep(0.05)  # poll interval

    def stop(self) -> None:
        """Hang up any call and unregister."""
        if self.call is not None and self.call.state == CallState.ANSWERED:
            self.hangup()
        self._phone.stop()

    def __enter__(self) -> "AgentSoftphone":
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def wait_for_call(self, timeout: float) -> bool:
        """True once a call is ringing (or already answered) on this phone."""
        return self.ringing.wait(timeout)

    def answer(self) -> None:
        """Answer the ringing call and start speaking the voice WAV, if any."""
        if self.call is None:
            raise RuntimeError("no call to answer")
        self.call.answer()
        self.answered.set()
        if self.voice_wav is not None:
            self.play(self.voice_wav)

    def dial(self, number: str) -> None:
        """Place a call from this phone (Asterisk routes it through songda-agents, recorded)."""
        self.answered.clear()
        self.ended.clear()
        self.call = self._phone.call(number)
        self.ringing.set()

    def wait_answered(self, timeout: float) -> bool:
        """For dialled calls: True once the far end answered."""
        deadline = time.monotonic() + timeout
        while self.call is None or self.call.state != CallState.ANSWERED:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)  # poll interval
        self.answered.set()
        return True

    def play(self, wav: Path) -> None:
        """Queue a WAV (any rate/width) as the agent's voice; it is sent in real time."""
        if self.call is None:
            raise RuntimeError("no call to speak into")
        self.call.write_audio(pcm16_to_unsigned8(read_wav_pcm16(wav)))

    def hangup(self) -> None:
        """End the answered call from the agent side."""
        if self.call is not None and self.call.state == CallState.ANSWERED:
            self.call.hangup()
            self._finish(self.call)

    def received_pcm16(self) -> bytes:
        """Everything heard so far, as 8 kHz 16-bit samples on the RTP timeline."""
        if self.call is None or not self.call.RTPClients:
            return b""
        heard = self.call.RTPClients[0].pmin.buffer.getvalue()
        # Gaps in the RTP timeline are zero-filled by pyVoIP's buffer; in unsigned 8-bit that is full
        # negative scale, while decoded u-law never produces 0x00: turn gaps into silence.
        return unsigned8_to_pcm16(heard.replace(b"\x00", b"\x80"))

    def _on_incoming_call(self, call: VoIPCall) -> None:
        self.answered.clear()
        self.ended.clear()
        self.call = call
        self.ringing.set()
        if self.auto_answer:
            self.answer()

    def _on_remote_hangup(self, call: VoIPCall) -> None:
        if call is self.call:
            self._finish(call)

    def _finish(self, call: VoIPCall) -> None:
        write_wav_pcm16(self.received_audio_path, self.received_pcm16())
        self.ended.set()
