"""Listen in on a live call (ChanSpy): the supervisor's phone rings, and on answer hears the agent's call.

Call control (telephony.control) has no spy action, so this is the smallest addition on top of it: one
Originate sent through the AMI connection that call control owns (never a second AMI connection)."""

import uuid
from dataclasses import dataclass

from telephony.control import CallControl, CallNotLive

SPY_ANSWER_SECONDS = 30


@dataclass(frozen=True, slots=True)
class SpyRequest:
    spy_call_id: str
    supervisor_endpoint: str
    agent_channel: str
    whisper: bool = False

    @property
    def options(self) -> str:
        # q: no beep or channel announcement; E: end when the spied channel hangs up; w: whisper to the agent.
        return "qEw" if self.whisper else "qE"

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("Channel", f"PJSIP/{self.supervisor_endpoint}"),
            ("Application", "ChanSpy"),
            ("Data", f"{self.agent_channel},{self.options}"),
            ("Async", "true"),
            ("Timeout", str(SPY_ANSWER_SECONDS * 1000)),
            ("ChannelId", self.spy_call_id),
            ("CallerID", '"监听" <0000>'),
        ]


def agent_channel_of(control: CallControl, call_id: str) -> str:
    """The agent leg's channel of a live call; CallNotLive when the call is not up."""
    call = control.pipeline.tracker.calls.get(call_id)
    if call is None or call.agent_channel is None:
        raise CallNotLive(call_id)
    return call.agent_channel


async def listen_in(
    *, control: CallControl, call_id: str, supervisor_endpoint: str, whisper: bool
) -> SpyRequest:
    """Ring the supervisor and spy on the agent leg of CALL_ID; raises CallNotLive or AmiError."""
    request = SpyRequest(
        spy_call_id=uuid.uuid4().hex,
        supervisor_endpoint=supervisor_endpoint,
        agent_channel=agent_channel_of(control, call_id),
        whisper=whisper,
    )
    await control.ami.action("Originate", request.headers())
    return request
