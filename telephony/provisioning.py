"""Provision the Asterisk Songda talks to: build, configure, start, stop, reload, and report.

Managed (settings.asterisk_managed): a private Debian sid root at settings.asterisk_root runs
`chroot ROOT asterisk`. Unmanaged (production): only check that the configured AMI answers.
"""

from dataclasses import dataclass
from pathlib import Path

from dialplans.render import ASTERISK_RECORDING_DIR, host_ipv4_addresses, render_config
from telephony import asterisk_root as roots
from telephony.ami_probe import AmiAddress, ami_reachable, wait_fully_booted
from telephony.audio import convert_to_telephone_wav
from telephony.settings import TelephonySettings
from telephony.sip_accounts import agent_sip_accounts

REPO_DIR = Path(__file__).resolve().parent.parent
SOUNDS_DIR_IN_ROOT = "usr/local/share/asterisk/sounds"  # played as custom/NAME (Debian symlink)


@dataclass(frozen=True)
class RecordingPaths:
    """Host paths of one call's three recordings."""

    mix: Path
    agent: Path
    party: Path


@dataclass(frozen=True)
class AsteriskStatus:
    managed: bool
    root_built: bool
    pid: int | None
    ami_ok: bool
    ami: AmiAddress


def ami_address(settings: TelephonySettings) -> AmiAddress:
    return AmiAddress(settings.ami_host, settings.ami_port, settings.ami_username, settings.ami_secret)


def recording_host_dir(settings: TelephonySettings) -> Path:
    """Where this host sees Asterisk's recording directory."""
    if settings.recording_dir is not None:
        return settings.recording_dir
    return settings.asterisk_root / ASTERISK_RECORDING_DIR.lstrip("/")


def recording_paths(call_id: str, *, settings: TelephonySettings) -> RecordingPaths:
    """The mixed, agent and party recordings of a call, as host paths."""
    base = recording_host_dir(settings) / call_id
    return RecordingPaths(
        mix=Path(f"{base}-mix.wav"), agent=Path(f"{base}-agent.wav"), party=Path(f"{base}-party.wav")
    )


def test_clips_dir(settings: TelephonySettings) -> Path:
    return settings.test_clips_dir or REPO_DIR.parent / "shared/asr/samples/zh"


def install_test_clips(*, settings: TelephonySettings) -> list[str]:
    """Convert every WAV of the clips directory into the root's custom sounds; return their names."""
    target_dir = settings.asterisk_root / SOUNDS_DIR_IN_ROOT
    names = []
    for source in sorted(test_clips_dir(settings).glob("*.wav")):
        target = target_dir / source.name
        if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            convert_to_telephone_wav(source, target)
        names.append(source.stem)
    return names


def install_configuration(*, settings: TelephonySettings) -> bool:
    """Render and install the configuration, recording dir and clips; True if the config changed."""
    root = settings.asterisk_root
    accounts = agent_sip_accounts(settings=settings)
    files = render_config(settings=settings, accounts=accounts, host_addresses=host_ipv4_addresses())
    changed = roots.install_config(root, files)
    (root / ASTERISK_RECORDING_DIR.lstrip("/")).mkdir(parents=True, exist_ok=True)
    install_test_clips(settings=settings)
    return changed


def up(*, settings: TelephonySettings) -> AsteriskStatus:
    """Build (once), configure and start Asterisk, or reload it when it already runs; wait for AMI."""
    if not settings.asterisk_managed:
        wait_fully_booted(ami_address(settings), timeout=settings.asterisk_boot_timeout)
        return status(settings=settings)
    root = settings.asterisk_root
    roots.ensure_root(root)
    changed = install_configuration(settings=settings)
    if roots.running_pid(root) is None:
        roots.start_asterisk(root)
    elif changed:
        roots.asterisk_cli(root, "core reload")
    wait_fully_booted(ami_address(settings), timeout=settings.asterisk_boot_timeout)
    (root / roots.READY_MARKER).write_text("AMI fully booted\n")
    return status(settings=settings)


def down(*, settings: TelephonySettings) -> None:
    """Stop the managed Asterisk (`core stop now`) and drop the ready marker."""
    if not settings.asterisk_managed:
        return
    (settings.asterisk_root / roots.READY_MARKER).unlink(missing_ok=True)
    roots.stop_asterisk(settings.asterisk_root)


def reload(*, settings: TelephonySettings) -> AsteriskStatus:
    """Re-render and install the configuration, then reload the running Asterisk."""
    if settings.asterisk_managed and roots.running_pid(settings.asterisk_root) is not None:
        install_configuration(settings=settings)
        roots.asterisk_cli(settings.asterisk_root, "core reload")
    return status(settings=settings)


def status(*, settings: TelephonySettings) -> AsteriskStatus:
    """What is built and running, and whether AMI answers."""
    root = settings.asterisk_root
    managed = settings.asterisk_managed
    return AsteriskStatus(
        managed=managed,
        root_built=managed and roots.root_is_built(root),
        pid=roots.running_pid(root) if managed else None,
        ami_ok=ami_reachable(ami_address(settings)),
        ami=ami_address(settings),
    )
