"""Agents for benchmarks: pyVoIP phones registered to the local Asterisk, answering every call they get.

pyVoIP gives every call two Python threads of its own (a receiver polling its socket 100 times a second
and a transmitter), which cost the 50-call benchmarks about 0.4 of a core, on the same machine as the
system they measure. Here the phones keep pyVoIP's SIP, but one `MediaPump` thread carries the media of
all their calls: every 20 ms it sends each call a packet of u-law silence and discards what arrived.
"""

import itertools
import random
import socket
import struct
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyVoIP.VoIP  # noqa: F401  # must load before pyVoIP.RTP (circular imports in pyVoIP)
from pyVoIP import RTP
from pyVoIP.VoIP import CallState, VoIPCall

from telephony.pyvoip_patches import SongdaVoIPPhone

REGISTER_SECONDS = 20.0
PACKET_SECONDS = 0.02
SAMPLES_PER_PACKET = 160  # 20 ms at 8 kHz
ULAW_SILENCE = b"\xff" * SAMPLES_PER_PACKET
RTP_HEADER = struct.Struct("!BBHII")
RTP_VERSION_2 = 0x80


@dataclass(frozen=True)
class PhonePorts:
    """Where each phone listens: SIP on sip_base + extension % 1000, RTP on its own block of ports."""

    sip_base: int
    rtp_base: int
    rtp_ports_per_phone: int


class MediaPump:
    """One thread sending the RTP of every registered stream each 20 ms and draining what they receive."""

    def __init__(self) -> None:
        self._streams: set[PumpedRtpClient] = set()
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="media pump", daemon=True)
        self._thread.start()

    def add(self, stream: "PumpedRtpClient") -> None:
        with self._lock:
            self._streams.add(stream)

    def remove(self, stream: "PumpedRtpClient") -> None:
        with self._lock:
            self._streams.discard(stream)

    def _run(self) -> None:
        for tick in itertools.count(1):
            with self._lock:
                streams = list(self._streams)
            for stream in streams:
                stream.pump()
            time.sleep(max(0.0, self._started + tick * PACKET_SECONDS - time.monotonic()))


class PumpedRtpClient(RTP.RTPClient):
    """pyVoIP's RTP client without its two threads: the pump sends silence and drops what comes in."""

    def start(self) -> None:
        self.sin = self.sout = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sin.bind((self.inIP, self.inPort))
        self.sin.setblocking(False)
        self._sequence, self._timestamp = random.randint(0, 0xFFFF), random.randint(0, 0xFFFFFFFF)
        self._ssrc = random.randint(1, 0xFFFFFFFF)
        _pump().add(self)

    def stop(self) -> None:
        self.NSD = False
        _pump().remove(self)
        self.sin.close()

    def pump(self) -> None:
        """Send the next 20 ms of silence; read and discard every packet waiting."""
        header = RTP_HEADER.pack(
            RTP_VERSION_2, int(self.preference), self._sequence, self._timestamp, self._ssrc
        )
        self._sequence = (self._sequence + 1) & 0xFFFF
        self._timestamp = (self._timestamp + SAMPLES_PER_PACKET) & 0xFFFFFFFF
        try:
            self.sout.sendto(header + ULAW_SILENCE, (self.outIP, self.outPort))
            while self.sin.recv(2048):
                pass
        except OSError:  # nothing more waiting (BlockingIOError), or the call just closed its socket
            return


_pump_lock = threading.Lock()
_process_pump: list[MediaPump] = []


def _pump() -> MediaPump:
    """This process's pump, started on first use."""
    with _pump_lock:
        if not _process_pump:
            _process_pump.append(MediaPump())
        return _process_pump[0]


class PumpedCall(VoIPCall):
    """A call whose media streams are PumpedRtpClients."""

    def create_rtp_clients(
        self, codecs: dict[int, RTP.PayloadType], ip: str, port: int, request: Any, baseport: int
    ) -> None:
        for index, connection in enumerate(request.body["c"]):
            stream = PumpedRtpClient(
                codecs,
                ip,
                port,
                connection["address"],
                baseport + index,
                self.sendmode,
                dtmf=self.dtmf_callback,
            )
            self.RTPClients.append(stream)


class AnsweringPhone(SongdaVoIPPhone):
    """A SongdaVoIPPhone whose calls carry pumped media."""

    def _create_Call(self, request: Any, sess_id: int) -> None:  # pyVoIP's hook for subclasses
        self.calls[request.headers["Call-ID"]] = PumpedCall(
            self, CallState.RINGING, request, sess_id, self.myIP, sendmode=self.recvmode
        )


def start_answering_phones(extensions: Sequence[str], ports: PhonePorts) -> list[Any]:
    """One started phone per extension (`wait_registered` tells when Asterisk took them all)."""
    from backend.config import get_settings
    from telephony.sip_accounts import agent_sip_password

    phones = []
    for index, extension in enumerate(extensions):
        rtp_low = ports.rtp_base + index * ports.rtp_ports_per_phone
        phone = AnsweringPhone(
            "127.0.0.1",
            5060,
            extension,
            agent_sip_password(extension, settings=get_settings()),
            myIP="127.0.0.1",
            callCallback=lambda call: call.answer(),
            sipPort=ports.sip_base + int(extension) % 1000,
            rtpPortLow=rtp_low,
            rtpPortHigh=rtp_low + ports.rtp_ports_per_phone - 1,
        )
        phone.start()
        phones.append(phone)
    return phones


def wait_registered(phones: Sequence[Any], timeout: float = REGISTER_SECONDS) -> bool:
    """Whether every phone registered within TIMEOUT seconds."""
    from pyVoIP.VoIP.status import PhoneStatus

    deadline = time.monotonic() + timeout
    while any(phone.get_status() != PhoneStatus.REGISTERED for phone in phones):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)  # poll interval
    return True
