"""A minimal AMI login used only to tell whether Asterisk is up and fully booted.

The call-control service owns the real AMI connection (telephony/ami.py); this probe logs in,
waits for the FullyBooted event Asterisk sends to each new session, and logs off.
"""

import socket
import time
from dataclasses import dataclass
from typing import TextIO


class AmiAuthenticationError(RuntimeError):
    """AMI answered, but refused the username/secret."""


class AmiNotReadyError(TimeoutError):
    """AMI did not report FullyBooted before the deadline."""


@dataclass(frozen=True)
class AmiAddress:
    host: str
    port: int
    username: str
    secret: str


def wait_fully_booted(address: AmiAddress, *, timeout: float) -> float:
    """Poll until AMI accepts our login and reports FullyBooted; return the seconds it took."""
    started = time.monotonic()
    deadline = started + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if _login_sees_fully_booted(address, deadline=deadline):
                return time.monotonic() - started
        except OSError as error:
            last_error = error
        time.sleep(0.2)  # poll interval between connection attempts
    raise AmiNotReadyError(f"AMI {address.host}:{address.port} not fully booted: {last_error}")


def ami_reachable(address: AmiAddress, *, timeout: float = 3.0) -> bool:
    """True when AMI accepts the login and reports FullyBooted within `timeout`."""
    try:
        wait_fully_booted(address, timeout=timeout)
    except AmiNotReadyError:
        return False
    return True


def _login_sees_fully_booted(address: AmiAddress, *, deadline: float) -> bool:
    with socket.create_connection((address.host, address.port), timeout=1.0) as sock:
        reader = sock.makefile("r", encoding="utf-8", errors="replace", newline="\r\n")
        reader.readline()  # banner: "Asterisk Call Manager/x.y.z"
        sock.sendall(
            f"Action: Login\r\nUsername: {address.username}\r\nSecret: {address.secret}\r\n"
            "Events: system\r\n\r\n".encode()
        )
        while time.monotonic() < deadline:
            message = _read_message(reader)
            if message.get("Response") == "Error":
                raise AmiAuthenticationError(message.get("Message", "login refused"))
            if message.get("Event") == "FullyBooted":
                sock.sendall(b"Action: Logoff\r\n\r\n")
                return True
    return False


def _read_message(reader: TextIO) -> dict[str, str]:
    message: dict[str, str] = {}
    while True:
        line = reader.readline()
        if line == "":
            raise ConnectionResetError("AMI closed the connection")
        line = line.rstrip("\r\n")
        if not line:
            if message:
                return message
            continue
        key, _, value = line.partition(":")
        message[key.strip()] = value.strip()
