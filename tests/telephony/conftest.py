"""Real-Asterisk fixtures: `asterisk` (session; provisions and starts it, leaves it running),
`ami` (a logged-in RawAmiSession collecting events) and `softphone` (a factory of registered phones)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from backend.config import Settings, get_settings
from telephony import provisioning
from telephony.ami_probe import AmiAddress
from telephony.provisioning import RecordingPaths
from telephony.sip_accounts import agent_sip_accounts
from telephony.softphone import AgentSoftphone
from tests.telephony.raw_ami import RawAmiSession


@dataclass(frozen=True)
class AsteriskUnderTest:
    """What tests need from the running Asterisk."""

    settings: Settings
    ami: AmiAddress
    agents: dict[str, str]  # extension -> SIP password
    recording_dir: Path  # host path of the recording directory
    clips_dir: Path  # the 16 kHz source clips; each is playable as custom/<stem>
    clip_names: list[str] = field(default_factory=list)

    def recording_paths(self, call_id: str) -> RecordingPaths:
        return provisioning.recording_paths(call_id, settings=self.settings)

    def clip(self, name: str) -> Path:
        return self.clips_dir / f"{name}.wav"


@pytest.fixture(scope="session")
def asterisk() -> AsteriskUnderTest:
    """Provision and start the real Asterisk (or reuse the running one); it stays up afterwards."""
    settings = get_settings()
    status = provisioning.up(settings=settings)
    assert status.ami_ok
    return AsteriskUnderTest(
        settings=settings,
        ami=status.ami,
        agents={account.extension: account.password for account in agent_sip_accounts(settings=settings)},
        recording_dir=provisioning.recording_host_dir(settings),
        clips_dir=provisioning.test_clips_dir(settings),
        clip_names=provisioning.install_test_clips(settings=settings),
    )


@pytest.fixture()
def ami(asterisk: AsteriskUnderTest) -> Iterator[RawAmiSession]:
    with RawAmiSession(asterisk.ami) as session:
        yield session


@pytest.fixture()
def softphone(asterisk: AsteriskUnderTest, tmp_path: Path) -> Iterator[Callable[..., AgentSoftphone]]:
    """`softphone(extension, auto_answer=True, voice_wav=None)`: a registered phone, stopped afterwards."""
    phones: list[AgentSoftphone] = []

    def make(
        extension: str = "1001", *, auto_answer: bool = True, voice_wav: Path | None = None
    ) -> AgentSoftphone:
        phone = AgentSoftphone(
            extension=extension,
            password=asterisk.agents[extension],
            server=asterisk.settings.sip_host,
            server_port=asterisk.settings.sip_port,
            auto_answer=auto_answer,
            voice_wav=voice_wav,
            received_wav=tmp_path / f"{extension}-heard-{len(phones)}.wav",
        )
        phone.start()
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        phone.stop()
