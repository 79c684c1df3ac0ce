"""Which phone of a user to ring: the browser softphone of the desk or wall page (PJSIP endpoint
web<extension>) when it is registered, else the SIP desk phone on the extension itself.

Asked through the AMI connection call control owns (Getvar DEVICE_STATE), one round trip per call."""

from telephony.ami import AmiError
from telephony.control import CallControl

NOT_REACHABLE = frozenset({"UNAVAILABLE", "INVALID", "UNKNOWN", ""})


def browser_endpoint(extension: str) -> str:
    return f"web{extension}"


async def is_registered(control: CallControl, endpoint: str) -> bool:
    try:
        response = await control.ami.action("Getvar", [("Variable", f"DEVICE_STATE(PJSIP/{endpoint})")])
    except AmiError:
        return False
    return response.get("Value", "") not in NOT_REACHABLE


async def endpoint_to_ring(control: CallControl, extension: str) -> str:
    """The browser phone if it is registered, else the desk phone on EXTENSION."""
    browser = browser_endpoint(extension)
    return browser if await is_registered(control, browser) else extension
