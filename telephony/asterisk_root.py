"""The private Debian sid root that holds the embedded Asterisk, and the Asterisk process in it."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

BUILT_MARKER = ".songda-built"
READY_MARKER = ".songda-ready"
DEBOOTSTRAP_PACKAGES = "asterisk,asterisk-modules"
SUITE = "sid"
STOCK_CONFIG_BACKUP = "etc/asterisk.debian-dist"
# Stock files kept beside Songda's: tone zones, features and defaults that modules expect to find.
STOCK_CONFIGS_KEPT = (
    "indications.conf",
    "features.conf",
    "acl.conf",
    "udptl.conf",
    "ccss.conf",
    "pjproject.conf",
    "cdr.conf",
    "cel.conf",
    "queues.conf",
    "confbridge.conf",
    "pjsip_notify.conf",
    "res_parking.conf",
)


class AsteriskRootError(RuntimeError):
    """The root cannot be built or Asterisk cannot be controlled in it."""


def root_is_built(root: Path) -> bool:
    return (root / BUILT_MARKER).exists()


def ensure_root(root: Path) -> float:
    """Build the root with debootstrap unless its marker exists; return the seconds spent building."""
    if root_is_built(root):
        return 0.0
    if root.exists() and any(root.iterdir()):
        raise AsteriskRootError(f"{root} exists without {BUILT_MARKER}: remove it or finish it by hand")
    started = time.monotonic()
    _ensure_debootstrap()
    partial = root.with_name(root.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.parent.mkdir(parents=True, exist_ok=True)
    command = ["debootstrap", "--variant=minbase", f"--include={DEBOOTSTRAP_PACKAGES}", SUITE, str(partial)]
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
    if root.exists():
        root.rmdir()
    partial.rename(root)
    (root / BUILT_MARKER).write_text(f"built in {time.monotonic() - started:.0f} s\n")
    return time.monotonic() - started


def _ensure_debootstrap() -> None:
    if shutil.which("debootstrap"):
        return
    if not shutil.which("apt-get"):
        raise AsteriskRootError("debootstrap is missing and this host has no apt-get")
    subprocess.run(["apt-get", "update"], check=True, stdin=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "debootstrap"], check=True, stdin=subprocess.DEVNULL)


def install_config(root: Path, files: dict[str, str]) -> bool:
    """Replace /etc/asterisk in the root by Songda's files (stock samples kept aside); True if changed."""
    etc = root / "etc/asterisk"
    backup = root / STOCK_CONFIG_BACKUP
    if etc.exists() and not backup.exists():
        etc.rename(backup)
    etc.mkdir(parents=True, exist_ok=True)
    kept = {name: (backup / name).read_text() for name in STOCK_CONFIGS_KEPT if (backup / name).exists()}
    wanted = kept | files
    stale = [path for path in etc.glob("*.conf") if path.name not in wanted]
    for path in stale:
        path.unlink()
    written = [name for name, text in wanted.items() if _write_if_changed(etc / name, text)]
    return bool(stale or written)


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True


def pid_file(root: Path) -> Path:
    # /var/run is an absolute symlink to /run inside the root: resolve it there, not on the host.
    return root / "run/asterisk/asterisk.pid"


def running_pid(root: Path) -> int | None:
    """The pid of the Asterisk running in this root, or None."""
    try:
        pid = int(pid_file(root).read_text().strip())
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        same_root = Path(f"/proc/{pid}/root").resolve() == root.resolve()
    except (OSError, ValueError):
        return None
    return pid if comm == "asterisk" and same_root else None


def start_asterisk(root: Path) -> None:
    """Start Asterisk daemonized in the root (it forks; this returns at once)."""
    (root / "run/asterisk").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["chroot", str(root), "asterisk", "-g"],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def asterisk_cli(root: Path, command: str, *, timeout: float = 30.0) -> str:
    """Run one Asterisk CLI command through the control socket and return its output."""
    result = subprocess.run(
        ["chroot", str(root), "asterisk", "-rx", command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AsteriskRootError(f"asterisk -rx {command!r}: {result.stdout}{result.stderr}")
    return result.stdout


def stop_asterisk(root: Path, *, timeout: float = 20.0) -> None:
    """`core stop now`, then wait for the process to go (SIGKILL it past the deadline)."""
    pid = running_pid(root)
    if pid is None:
        return
    try:
        asterisk_cli(root, "core stop now", timeout=timeout)
    except (AsteriskRootError, subprocess.TimeoutExpired):
        os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout=timeout):
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, timeout=5.0)


def _wait_gone(pid: int, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return True
        time.sleep(0.1)  # poll interval
    return False
