"""Agents for benchmarks: pyVoIP phones registered to the local Asterisk, answering every call they get."""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

REGISTER_SECONDS = 20.0


@dataclass(frozen=True)
class PhonePorts:
    """Where each phone listens: SIP on sip_base + extension % 1000, RTP on its own block of ports."""

    sip_base: int
    rtp_base: int
    rtp_ports_per_phone: int


def start_answering_phones(extensions: Sequence[str], ports: PhonePorts) -> list[Any]:
    """One started phone per extension (`wait_registered` tells when Asterisk took them all)."""
    from telephony.pyvoip_patches import SongdaVoIPPhone
    from telephony.sip_accounts import agent_sip_password

    phones = []
    for index, extension in enumerate(extensions):
        rtp_low = ports.rtp_base + index * ports.rtp_ports_per_phone
        phone = SongdaVoIPPhone(
            "127.0.0.1",
            5060,
            extension,
            agent_sip_password(extension),
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
