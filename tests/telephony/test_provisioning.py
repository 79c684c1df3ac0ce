"""`songda asterisk up/status` against the running Asterisk: idempotent, and AMI-only when unmanaged."""

from pathlib import Path

import pytest

from backend.config import Settings
from telephony import asterisk_root, provisioning
from telephony.ami_probe import AmiAuthenticationError, AmiNotReadyError
from tests.telephony.conftest import AsteriskUnderTest

pytestmark = pytest.mark.asterisk


def test_up_again_keeps_the_running_asterisk(asterisk: AsteriskUnderTest) -> None:
    before = provisioning.status(settings=asterisk.settings)
    after = provisioning.up(settings=asterisk.settings)
    assert before.pid is not None and after.pid == before.pid
    assert after.ami_ok and after.root_built
    assert (asterisk.settings.asterisk_root / asterisk_root.READY_MARKER).exists()


def test_unmanaged_up_only_checks_ami(asterisk: AsteriskUnderTest, tmp_path: Path) -> None:
    settings = asterisk.settings.model_copy(
        update={"asterisk_managed": False, "asterisk_root": tmp_path / "none"}
    )
    status = provisioning.up(settings=settings)
    assert status.ami_ok and status.pid is None and not status.root_built
    assert not (tmp_path / "none").exists()


def test_unmanaged_up_rejects_a_wrong_secret(asterisk: AsteriskUnderTest) -> None:
    settings = asterisk.settings.model_copy(update={"asterisk_managed": False, "ami_secret": "wrong"})
    with pytest.raises(AmiAuthenticationError):
        provisioning.up(settings=settings)


def test_unmanaged_up_gives_up_at_the_deadline() -> None:
    settings = Settings(asterisk_managed=False, ami_port=1, asterisk_boot_timeout=0.5)
    with pytest.raises(AmiNotReadyError):
        provisioning.up(settings=settings)
