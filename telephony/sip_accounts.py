"""Agent SIP credentials: one extension per agent, passwords derived from the secret key."""

import hashlib
import hmac
from dataclasses import dataclass

from telephony.settings import TelephonySettings


@dataclass(frozen=True)
class AgentSipAccount:
    """What a phone needs to register as an agent (SIP phone: `extension`, browser: `web<extension>`)."""

    extension: str
    password: str

    @property
    def webrtc_username(self) -> str:
        return f"web{self.extension}"


def agent_sip_password(extension: str, *, settings: TelephonySettings) -> str:
    """Derive the SIP password of an agent extension from settings.secret_key (HMAC-SHA256)."""
    key = settings.secret_key.encode()
    digest = hmac.new(key, f"songda-sip-agent:{extension}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def agent_sip_accounts(*, settings: TelephonySettings) -> list[AgentSipAccount]:
    """The configured agent extensions with their derived passwords."""
    return [
        AgentSipAccount(extension=ext, password=agent_sip_password(ext, settings=settings))
        for ext in settings.agent_extensions
    ]
