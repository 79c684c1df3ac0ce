"""Kannel as Songda's embedded SMS gateway (`songda sms up|down|status`): bearerbox, the fake SMSC from
kannel-extras, and smsbox with its sendsms interface, configured from the settings into DATA_DIR/kannel,
each with a pid file. Production keeps the same smsbox and replaces the fake smsc group with the carrier's
SMPP account (or the court's 12368 gateway); nothing in Songda changes."""

import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import unquote_to_bytes

from backend.config import Settings

BEARERBOX, SMSBOX = "/usr/sbin/bearerbox", "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
PROCESSES = ("bearerbox", "fakesmsc-stdin", "fakesmsc", "smsbox")  # started in this order
# The boxes' console (DATA_DIR/kannel/NAME.out) takes warnings and errors (-v 2); their log files keep each
# message at log-level 1. At Kannel's default console level (debug) smsbox wrote about 100 lines (9 KB) per
# message there, each under a lock all its threads share. fakesmsc stays at debug: its log is the inbox.
CONSOLE_LEVEL = ["-v", "2"]
START_TIMEOUT = 15.0

CONFIG = """\
# Rendered by `songda sms up`; production replaces the fake smsc group with the carrier's SMPP account.
group = core
admin-port = {admin_port}
admin-password = {admin_password}
admin-interface = {interface}
admin-allow-ip = {allow_ip}
smsbox-port = {smsbox_port}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{dir}/bearerbox.log"
log-level = 1
store-type = file
store-location = "{dir}/bearerbox.store"
dlr-storage = internal

{smsc_group}

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox_port}
sendsms-port = {sendsms_port}
sendsms-interface = {interface}
log-file = "{dir}/smsbox.log"
log-level = 1

group = sendsms-user
username = {username}
password = {password}
user-allow-ip = {allow_ip}
concatenation = true
max-messages = 10

group = sms-service
keyword = default
catch-all = true
max-messages = 0
text = "本号码不接收回复"
"""


GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (udh (\S+) )?(data|text|ucs-2|ucs2) (\S*)>")


@dataclass(frozen=True)
class ReceivedSms:
    sender: str
    to: str
    text: str
    parts: int


def _decode(kind: str, data: str) -> str:
    raw = unquote_to_bytes(data.replace("+", "%20"))  # fakesmsc encodes a space byte as +
    return raw.decode("utf-16-be", "replace") if kind in ("data", "ucs-2", "ucs2") else raw.decode("latin-1")


def received_messages(log: str) -> list[ReceivedSms]:
    """The messages in fakesmsc's log (UCS-2 decoded; parts with a concatenation UDH joined in order)."""
    whole: list[ReceivedSms] = []
    pending: dict[tuple[str, str, int], dict[int, str]] = {}
    for match in GOT.finditer(log):
        sender, to, _, udh, kind, data = match.groups()
        text = _decode(kind, data)
        header = unquote_to_bytes(udh) if udh else b""
        if len(header) >= 6 and header[1] == 0x00:  # IEI 0: concatenated, 8-bit reference
            reference, total, sequence = header[3], header[4], header[5]
            parts = pending.setdefault((sender, to, reference), {})
            parts[sequence] = text
            if len(parts) == total:
                joined = "".join(parts[index] for index in sorted(parts))
                whole.append(ReceivedSms(sender, to, joined, total))
                del pending[(sender, to, reference)]
        else:
            whole.append(ReceivedSms(sender, to, text, 1))
    return whole


FAKE_SMSC_GROUP = """\
group = smsc
smsc = fake
smsc-id = fake
port = {smsc_port}
connect-allow-ip = 127.0.0.1"""


class KannelError(RuntimeError):
    """Kannel could not be started (the message says which box and where its log is)."""


@dataclass(frozen=True)
class KannelBoxes:
    directory: Path
    admin_port: int
    smsbox_port: int
    sendsms_port: int
    smsc_port: int
    admin_password: str
    username: str
    password: str
    interface: str = "127.0.0.1"
    allow_ip: str = "127.0.0.1"
    smsc_config: Path | None = None  # the carrier's smsc group; None: the fake SMSC

    @classmethod
    def from_settings(cls, settings: Settings) -> "KannelBoxes":
        return cls(
            directory=(settings.data_dir / "kannel").resolve(),
            admin_port=settings.kannel_admin_port,
            smsbox_port=settings.kannel_smsbox_port,
            sendsms_port=settings.kannel_sendsms_port,
            smsc_port=settings.kannel_smsc_port,
            admin_password=settings.kannel_admin_password,
            username=settings.sms_username,
            password=settings.sms_password,
            interface=settings.kannel_interface,
            allow_ip=";".join(dict.fromkeys(["127.0.0.1", *settings.kannel_allow_ip.split(";")])),
            smsc_config=settings.kannel_smsc_config,
        )

    @property
    def config_path(self) -> Path:
        return self.directory / "kannel.conf"

    @property
    def fakesmsc_log(self) -> Path:
        return self.directory / "fakesmsc.out"

    def fake_smsc_inbox(self, *, tail_bytes: int | None = None) -> list[ReceivedSms]:
        """What the fake SMSC received, concatenated parts joined (for tests and the demo); TAIL_BYTES:
        read only the end of its log (the latest messages; one cut through at the start is dropped)."""
        try:
            with self.fakesmsc_log.open("rb") as log:
                if tail_bytes is not None and log.seek(0, os.SEEK_END) > tail_bytes:
                    log.seek(-tail_bytes, os.SEEK_END)
                    log.readline()  # the rest of a line the cut went through
                else:
                    log.seek(0)
                return received_messages(log.read().decode("utf-8", errors="replace"))
        except FileNotFoundError:
            return []

    def render(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        fields = {key: value for key, value in vars(self).items() if key not in ("directory", "smsc_config")}
        fake = FAKE_SMSC_GROUP.format(smsc_port=self.smsc_port)
        smsc = self.smsc_config.read_text(encoding="utf-8") if self.smsc_config else fake
        text = CONFIG.format(dir=self.directory, smsc_group=smsc, **fields)
        self.config_path.write_text(text, encoding="utf-8")
        return self.config_path

    def pid(self, name: str) -> int | None:
        path = self.directory / f"{name}.pid"
        try:
            pid = int(path.read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    @property
    def processes(self) -> tuple[str, ...]:
        return PROCESSES if self.smsc_config is None else ("bearerbox", "smsbox")

    def status(self) -> dict[str, int | None]:
        return {name: self.pid(name) for name in self.processes}

    def running(self) -> bool:
        return all(self.status().values())

    def up(self) -> None:
        """Start whatever is not running yet, and wait until sendsms answers."""
        if not Path(BEARERBOX).exists():
            raise KannelError(
                "未安装 Kannel：请先 apt-get install kannel kannel-extras（scripts/setup.sh 会安装）"
            )
        self.render()
        if self.pid("bearerbox") is None:
            self._spawn("bearerbox", [BEARERBOX, *CONSOLE_LEVEL, str(self.config_path)])
            self._wait_port(self.smsbox_port, "bearerbox")
        if self.smsc_config is None and self.pid("fakesmsc") is None:
            self._start_fakesmsc()
        if self.pid("smsbox") is None:
            self._spawn("smsbox", [SMSBOX, *CONSOLE_LEVEL, str(self.config_path)])
        self._wait_port(self.sendsms_port, "smsbox")

    def down(self) -> None:
        """Stop the boxes (smsbox first, bearerbox last, so queued messages are stored)."""
        for name in reversed(PROCESSES):
            pid = self.pid(name)
            if pid is not None:
                os.kill(pid, signal.SIGTERM)
                self._wait_gone(pid)
            (self.directory / f"{name}.pid").unlink(missing_ok=True)

    def _spawn(
        self, name: str, argv: list[str], *, stdin: IO[bytes] | None = None, stdout: int | None = None
    ) -> subprocess.Popen[bytes]:
        log = (self.directory / f"{name}.out").open("ab")
        process = subprocess.Popen(
            argv, stdin=stdin, stdout=log if stdout is None else stdout, stderr=log, start_new_session=True
        )
        (self.directory / f"{name}.pid").write_text(str(process.pid))
        return process

    def _start_fakesmsc(self) -> None:
        # fakesmsc reads messages to send from stdin and exits at its end: a pipe held open by a sleeper.
        holder = self._spawn("fakesmsc-stdin", ["sleep", "infinity"], stdout=subprocess.PIPE)
        argv = [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-m", "0", "12368 10000 text nop"]
        self._spawn("fakesmsc", argv, stdin=holder.stdout)
        assert holder.stdout is not None
        holder.stdout.close()

    def _wait_port(self, port: int, name: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            if self.pid(name) is None:
                break
            time.sleep(0.05)
        raise KannelError(f"Kannel 的 {name} 未能启动（端口 {port}），请查看 {self.directory}/{name}.out")

    @staticmethod
    def _wait_gone(pid: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                finished, _ = os.waitpid(pid, os.WNOHANG)
                if finished:
                    return
            except ChildProcessError:
                pass
            try:
                os.kill(pid, 0)
            except OSError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
