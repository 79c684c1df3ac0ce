"""Real local servers for the messaging tests: Kannel with the fake SMSC (started once per test session,
shared by tests/messaging and tests/electronic), Songda's delivery-report endpoint on a real HTTP port
(smsbox calls it), and aiosmtpd on loopback (refusing mailboxes named nobody@...)."""

import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from backend.config import get_settings
from backend.messaging.kannel_boxes import KannelBoxes
from backend.messaging.views import routers
from tests.desk.servers import free_port
from tests.polling import poll_until

_shared: dict[str, Any] = {"users": 0}


def _report_server() -> tuple[uvicorn.Server, threading.Thread, str]:
    app = FastAPI()
    for router in routers:
        app.include_router(router)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    poll_until(lambda: server.started, timeout=10, what="the delivery-report server to start")
    return server, thread, f"http://127.0.0.1:{port}"


def _environment(boxes: KannelBoxes, report_base: str) -> dict[str, str]:
    return {
        "SONGDA_SMS_GATEWAY_URL": f"kannel+http://127.0.0.1:{boxes.sendsms_port}",
        "SONGDA_SMS_USERNAME": boxes.username,
        "SONGDA_SMS_PASSWORD": boxes.password,
        "SONGDA_SMS_REPORT_BASE_URL": report_base,
    }


def acquire_kannel() -> tuple[KannelBoxes, dict[str, str]]:
    """Kannel and the report server, started by the first user in the session."""
    if not _shared["users"]:
        directory = Path(tempfile.mkdtemp(prefix="songda-kannel-"))
        boxes = KannelBoxes(
            directory=directory,
            admin_port=free_port(),
            smsbox_port=free_port(),
            sendsms_port=free_port(),
            smsc_port=free_port(),
            admin_password="test-admin",
            username="songda-test",
            password="test-sms-secret",
        )
        boxes.up()
        server, thread, base = _report_server()
        _shared.update(boxes=boxes, server=server, thread=thread, env=_environment(boxes, base))
    _shared["users"] += 1
    return _shared["boxes"], _shared["env"]


def release_kannel() -> None:
    _shared["users"] -= 1
    if _shared["users"]:
        return
    boxes: KannelBoxes = _shared["boxes"]
    boxes.down()
    _shared["server"].should_exit = True
    _shared["thread"].join(timeout=10)
    shutil.rmtree(boxes.directory, ignore_errors=True)


def use_settings(monkeypatch: Any, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@dataclass
class RecordingHandler:
    """aiosmtpd handler: keeps what it accepts, refuses mailboxes named nobody@... (550)."""

    received: list[dict[str, Any]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("nobody@"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append({"to": envelope.rcpt_tos, "content": envelope.content})
        return "250 2.0.0 Ok: queued as SONGDA1"


@dataclass
class SmtpServer:
    handler: RecordingHandler
    port: int


def smtp_server() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(handler, port)
    finally:
        controller.stop()
