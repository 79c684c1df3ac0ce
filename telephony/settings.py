"""The settings telephony reads, as a protocol: the application's settings object (backend.config.Settings)
provides them and is passed in, so telephony never imports backend.config."""

from pathlib import Path
from typing import Protocol


class TelephonySettings(Protocol):
    """Where Asterisk runs and how Songda reaches and configures it."""

    @property
    def secret_key(self) -> str: ...  # agents' SIP passwords are derived from it

    @property
    def asterisk_root(self) -> Path: ...

    @property
    def asterisk_managed(self) -> bool: ...

    @property
    def asterisk_boot_timeout(self) -> float: ...

    @property
    def ami_host(self) -> str: ...

    @property
    def ami_port(self) -> int: ...

    @property
    def ami_username(self) -> str: ...

    @property
    def ami_secret(self) -> str: ...

    @property
    def ami_bind_address(self) -> str: ...

    @property
    def ami_permit(self) -> str: ...

    @property
    def sip_host(self) -> str: ...

    @property
    def sip_port(self) -> int: ...

    @property
    def asterisk_http_port(self) -> int: ...

    @property
    def rtp_port_start(self) -> int: ...

    @property
    def rtp_port_end(self) -> int: ...

    @property
    def webrtc_loopback_ice(self) -> bool: ...

    @property
    def webrtc_rtp_timeout_seconds(self) -> int: ...

    @property
    def agent_extensions(self) -> list[str]: ...

    @property
    def party_route(self) -> str: ...

    @property
    def party_ring_seconds(self) -> int: ...

    @property
    def trunk_host(self) -> str: ...

    @property
    def trunk_port(self) -> int: ...

    @property
    def trunk_username(self) -> str: ...

    @property
    def trunk_password(self) -> str: ...

    @property
    def trunk_caller_id(self) -> str: ...

    @property
    def recording_dir(self) -> Path | None: ...

    @property
    def test_clips_dir(self) -> Path | None: ...

    @property
    def default_test_clip(self) -> str: ...
