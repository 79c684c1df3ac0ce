"""Render Songda's Asterisk configuration files from settings (string.Template with {{ name }})."""

import itertools
import re
import string
from collections.abc import Iterable, Sequence
from pathlib import Path

from telephony.settings import TelephonySettings
from telephony.sip_accounts import AgentSipAccount

TEMPLATES_DIR = Path(__file__).parent / "templates"
# Where Asterisk writes call recordings, as Asterisk sees it.
ASTERISK_RECORDING_DIR = "/var/spool/asterisk/recording/songda"
# MixMonitor directions on the agent's PJSIP channel: r() is what the channel sends us (the agent
# speaking), t() what we send to it (the party). Verified by tests/telephony/test_asterisk_call.py.
AGENT_AUDIO_OPTION = "r"
PARTY_AUDIO_OPTION = "t"
NOLOAD_MODULES = (
    "chan_console.so",
    "chan_mobile.so",
    "chan_dahdi.so",
    "res_hep_pjsip.so",
    "chan_iax2.so",
    "chan_skinny.so",
    "chan_mgcp.so",
    "chan_unistim.so",
    "chan_ooh323.so",
    "chan_motif.so",
    "res_resolver_unbound.so",
    "res_config_ldap.so",
    "res_config_sqlite3.so",
    "res_config_pgsql.so",
    "res_statsd.so",
    "app_voicemail_odbc.so",
    "app_voicemail_imap.so",
    "pbx_lua.so",
    "pbx_ael.so",
)
CONFIG_FILES = (
    "asterisk.conf",
    "logger.conf",
    "modules.conf",
    "manager.conf",
    "http.conf",
    "rtp.conf",
    "pjsip.conf",
    "extensions.conf",
)
# `{{ name }}`; the other groups string.Template requires never match.
_PLACEHOLDER = r"""
\{\{(?:
  (?P<escaped>(?!))|
  \s*(?P<named>[a-z_][a-z0-9_]*)\s*\}\}|
  (?P<braced>(?!))|
  (?P<invalid>)
)
"""


class ConfTemplate(string.Template):
    """`{{ name }}` placeholders, so Asterisk's own `${VAR}` passes through untouched."""

    delimiter = "{{"
    pattern = _PLACEHOLDER  # type: ignore[assignment]  # string.Template compiles the string


def render_template(name: str, **values: object) -> str:
    """Fill one template from dialplans/templates; a missing value raises KeyError."""
    text = (TEMPLATES_DIR / name).read_text()
    return ConfTemplate(text).substitute({key: str(value) for key, value in values.items()})


def host_ipv4_addresses() -> list[str]:
    """The host's own non-loopback IPv4 addresses (Linux /proc/net/fib_trie)."""
    fib_trie = Path("/proc/net/fib_trie")
    if not fib_trie.exists():
        return []
    lines = fib_trie.read_text().splitlines()
    found = {
        previous.split()[-1]
        for previous, line in itertools.pairwise(lines)
        if "/32 host LOCAL" in line and previous.strip().startswith("|--")
    }
    return sorted(address for address in found if not address.startswith("127."))


def render_config(
    *,
    settings: TelephonySettings,
    accounts: Sequence[AgentSipAccount],
    host_addresses: Iterable[str] = (),
) -> dict[str, str]:
    """All Songda Asterisk configuration files, by file name."""
    files = {
        "asterisk.conf": render_template("asterisk.conf"),
        "logger.conf": render_template("logger.conf"),
        "modules.conf": render_template(
            "modules.conf", noload_lines="\n".join(f"noload => {module}" for module in NOLOAD_MODULES)
        ),
        "manager.conf": _render_manager(settings),
        "http.conf": render_template(
            "http.conf", http_bind=settings.sip_host, http_port=settings.asterisk_http_port
        ),
        "rtp.conf": _render_rtp(settings, host_addresses),
        "pjsip.conf": _render_pjsip(settings, accounts),
        "extensions.conf": _render_extensions(settings),
    }
    return {name: clean_blank_runs(text) for name, text in files.items()}


def _render_manager(settings: TelephonySettings) -> str:
    return render_template(
        "manager.conf",
        ami_port=settings.ami_port,
        ami_bind=settings.ami_bind_address,
        ami_permit=settings.ami_permit,
        ami_username=settings.ami_username,
        ami_secret=settings.ami_secret,
    )


def _render_rtp(settings: TelephonySettings, host_addresses: Iterable[str]) -> str:
    mapping = (
        [f"{address} => 127.0.0.1" for address in host_addresses] if settings.webrtc_loopback_ice else []
    )
    return render_template(
        "rtp.conf",
        rtp_start=settings.rtp_port_start,
        rtp_end=settings.rtp_port_end,
        ice_host_candidates="\n".join(mapping),
    )


def _render_pjsip(settings: TelephonySettings, accounts: Sequence[AgentSipAccount]) -> str:
    agents = "".join(
        render_template("pjsip_agent.conf", extension=a.extension, password=a.password) for a in accounts
    )
    has_auth = bool(settings.trunk_username)
    auth_section = (
        f"\n[carrier-auth]\ntype = auth\nauth_type = userpass\n"
        f"username = {settings.trunk_username}\npassword = {settings.trunk_password}\n"
    )
    identify_section = f"\n[carrier]\ntype = identify\nendpoint = carrier\nmatch = {settings.trunk_host}\n"
    return render_template(
        "pjsip.conf",
        sip_host=settings.sip_host,
        sip_port=settings.sip_port,
        media_address=settings.sip_host,
        webrtc_rtp_timeout=settings.webrtc_rtp_timeout_seconds,
        agent_sections=agents,
        trunk_host=settings.trunk_host,
        trunk_port=settings.trunk_port,
        trunk_auth_line="outbound_auth = carrier-auth" if has_auth else "",
        trunk_from_user_line=f"from_user = {settings.trunk_username}" if has_auth else "",
        trunk_auth_section=auth_section if has_auth else "",
        trunk_identify_section=identify_section if settings.party_route == "trunk" else "",
    )


def _render_extensions(settings: TelephonySettings) -> str:
    if settings.party_route == "trunk":
        party_dial = "PJSIP/${EXTEN}@carrier"
    else:
        party_dial = "Local/${EXTEN}@songda-test-party"
    caller_id = settings.trunk_caller_id
    return render_template(
        "extensions.conf",
        recording_dir=ASTERISK_RECORDING_DIR,
        ring_seconds=settings.party_ring_seconds,
        agent_option=AGENT_AUDIO_OPTION,
        party_option=PARTY_AUDIO_OPTION,
        caller_id_line=f" same => n,Set(CALLERID(num)={caller_id})" if caller_id else "",
        party_dial=party_dial,
        default_clip=settings.default_test_clip,
    )


def clean_blank_runs(text: str) -> str:
    """Collapse the blank lines left by empty optional placeholders."""
    return re.sub(r"\n{3,}", "\n\n", text)
