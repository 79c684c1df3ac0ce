"""Fixes for pyVoIP 1.6.8 defects seen against Asterisk 22, kept out of the library itself.

- The ACK to a 200 OK carried a fresh random To-tag, so Asterisk never matched it to the dialog,
  kept retransmitting the 200 OK and only sent its BYE 32 s later. The ACK now echoes the To-tag.
- The 200 OK to an in-dialog BYE/CANCEL also carried a fresh To-tag; it now echoes the request's.
"""

from collections.abc import Callable
from typing import Any

import pyVoIP.VoIP  # noqa: F401  # must load before pyVoIP.SIP (circular imports in pyVoIP)
from pyVoIP import SIP
from pyVoIP.VoIP import VoIPCall, VoIPPhone


class SongdaSIPClient(SIP.SIPClient):
    """pyVoIP's SIP client with dialog tags kept consistent."""

    def gen_ack(self, request: SIP.SIPMessage) -> str:
        ack = super().gen_ack(request)
        return _replace_to_tag(ack, request.headers["To"]["raw"], request.headers["To"]["tag"])

    def gen_ok(self, request: SIP.SIPMessage) -> str:
        ok = super().gen_ok(request)
        return _replace_to_tag(ok, request.headers["To"]["raw"], request.headers["To"]["tag"])


def _replace_to_tag(message: str, to_raw: str, tag: str) -> str:
    if not tag:
        return message
    lines = message.split("\r\n")
    for index, line in enumerate(lines):
        if line.startswith("To: "):
            lines[index] = f"To: {to_raw};tag={tag}"
            break
    return "\r\n".join(lines)


class SongdaVoIPPhone(VoIPPhone):
    """VoIPPhone that uses SongdaSIPClient and reports calls the far end hangs up."""

    def __init__(self, *args: Any, on_remote_hangup: Callable[[VoIPCall], None] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.on_remote_hangup = on_remote_hangup
        old = self.sip
        self.sip = SongdaSIPClient(
            old.server,
            old.port,
            old.username,
            old.password,
            phone=self,
            myIP=old.myIP,
            myPort=old.myPort,
            callCallback=self.callback,
            fatalCallback=self.fatal,
        )

    def _callback_MSG_Bye(self, request: SIP.SIPMessage) -> None:
        call = self.calls.get(request.headers["Call-ID"])
        super()._callback_MSG_Bye(request)
        if call is not None and self.on_remote_hangup is not None:
            self.on_remote_hangup(call)
