"""Fixtures of the messaging and electronic tests: Kannel (once per session), the report endpoint, aiosmtpd,
and an empty evidence directory. Each folder's conftest.py imports them."""

import shutil
from collections.abc import Iterator

import pytest

from backend.config import get_settings
from backend.messaging.kannel_boxes import KannelBoxes
from tests.messaging.servers import SmtpServer, acquire_kannel, release_kannel, smtp_server, use_settings


@pytest.fixture(autouse=True)
def empty_evidence_dir() -> Iterator[None]:
    shutil.rmtree(get_settings().evidence_dir, ignore_errors=True)
    get_settings().evidence_dir.mkdir(parents=True)
    yield


@pytest.fixture(scope="session")
def kannel_session() -> Iterator[tuple[KannelBoxes, dict[str, str]]]:
    yield acquire_kannel()
    release_kannel()


@pytest.fixture()
def kannel(
    kannel_session: tuple[KannelBoxes, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[KannelBoxes]:
    """Kannel with the fake SMSC, and Songda's SMS adapter pointed at it."""
    boxes, env = kannel_session
    use_settings(monkeypatch, env)
    yield boxes
    monkeypatch.undo()  # the next test reads the settings it started with (fake:// gateways)
    get_settings.cache_clear()


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """aiosmtpd on loopback, and Songda's e-mail adapter pointed at it."""
    for server in smtp_server():
        use_settings(monkeypatch, {"SONGDA_EMAIL_GATEWAY_URL": f"smtp://127.0.0.1:{server.port}"})
        yield server
    monkeypatch.undo()
    get_settings.cache_clear()
