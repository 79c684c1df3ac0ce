"""Call commands: placing, hanging up and listening in on calls, and the list of live calls, asked of the
one process that owns AMI.

`LocalCallCommands` runs them on that process's CallControl. Any other API process uses
`RemoteCallCommands`: the command goes over the call-command stream to the owner's `CallCommandServer`,
which runs it and answers on the reply stream. A PlaceCall carries the idempotency key of the request that
made it: the owner places at most one call per key, however often the command arrives.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from backend.core.streams import DataclassCodec, Stream, stream_from_url

COMMANDS_STREAM = "songda:call-commands"
REPLIES_STREAM = "songda:call-command-replies"
STREAM_MAXLEN = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceCall:
    """Ring the agent's phone, then dial NUMBER (the dialplan records the call)."""

    idempotency_key: str
    call_id: str
    agent_extension: str
    number: str
    # Ring the browser phone web<extension> when it is registered with Asterisk, else the extension.
    prefer_browser_phone: bool = False
    agent_answer_timeout_seconds: int = 30
    ring_timeout_seconds: int | None = None
    test_clip: str | None = None
    # Who placed the call and for which delivery attempt (Songda's ids), passed on in CallOriginated.
    agent_user_id: int | None = None
    delivery_id: int | None = None
    attempt_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HangUpCall:
    call_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListenIn:
    """Ring the supervisor's phone and let them hear (or whisper to the agent of) the call CALL_ID; the spy
    call is placed with SPY_CALL_ID."""

    call_id: str
    supervisor_extension: str
    whisper: bool = False
    spy_call_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListLiveCalls:
    """The calls in progress, as call control's live state holds them (answered in the reply's data)."""


CallCommand = PlaceCall | HangUpCall | ListenIn | ListLiveCalls
COMMAND_CODEC = DataclassCodec[CallCommand](PlaceCall, HangUpCall, ListenIn, ListLiveCalls)


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandRequest:
    """A command on its way to the owner; it is dropped unanswered once EXPIRES_AT (epoch s) is past."""

    command_id: str
    expires_at: float
    command: CallCommand


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandReply:
    """How the command went: FAILURE is None, "not_live" (no such call in progress) or "unavailable";
    DATA, what a query answers (JSON values)."""

    command_id: str
    failure: str | None = None
    message: str = ""
    data: dict[str, Any] | None = None


class CommandRequestCodec:
    def encode(self, message: CommandRequest) -> dict[str, Any]:
        return {
            "command_id": message.command_id,
            "expires_at": message.expires_at,
            "command": COMMAND_CODEC.encode(message.command),
        }

    def decode(self, data: dict[str, Any]) -> CommandRequest:
        command = COMMAND_CODEC.decode(data["command"])
        return CommandRequest(command_id=data["command_id"], expires_at=data["expires_at"], command=command)


class CallCommands(Protocol):
    """What API handlers use to place and hang up calls, in whichever process they run."""

    async def place(self, command: PlaceCall) -> None:
        """Raises AmiError (CallControlUnavailable included) when the call could not be placed."""

    async def hang_up(self, call_id: str) -> None:
        """Raises CallNotLive, or AmiError."""

    async def listen_in(self, command: ListenIn) -> None:
        """Raises CallNotLive, or AmiError."""

    async def live_calls(self) -> list[dict[str, Any]]:
        """The calls in progress (telephony.live.live_call_data); raises AmiError when unreachable."""


def command_streams(url: str) -> tuple[Stream[CommandRequest], Stream[CommandReply]]:
    """The command stream and the reply stream at URL."""
    requests = stream_from_url(url, name=COMMANDS_STREAM, codec=CommandRequestCodec(), maxlen=STREAM_MAXLEN)
    replies_codec = DataclassCodec(CommandReply)
    replies = stream_from_url(url, name=REPLIES_STREAM, codec=replies_codec, maxlen=STREAM_MAXLEN)
    return requests, replies
