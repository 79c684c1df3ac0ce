"""Settings for every Songda process, read from SONGDA_* variables and a .env file."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One settings object; embedded defaults need no external service."""

    model_config = SettingsConfigDict(env_prefix="SONGDA_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = "change-me-in-production"

    # Task queue and event bus: memory:// runs in-process, redis://host:port/db in production.
    task_queue_url: str = "memory://"
    event_bus_url: str = "memory://"

    # The court this installation serves by default (案号 court code and name).
    default_court_code: str = "京0102"
    default_court_name: str = "北京市西城区人民法院"

    # Authentication.
    token_ttl_hours: int = 12
    lockout_threshold: int = 5
    lockout_minutes: int = 15

    # HTTP server.
    host: str = "127.0.0.1"
    port: int = 8000

    # Asterisk: embedded provisioning builds a private Debian sid root here; production gives a host.
    asterisk_root: Path = Path("/var/cache/songda/asterisk-root")
    asterisk_managed: bool = True
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_username: str = "songda"
    ami_secret: str = "songda-ami-secret"

    # Speech recognition.
    vosk_model: Path = Field(default=Path("../shared/asr/models/vosk-model-small-cn-0.22"))

    @field_validator("data_dir", "vosk_model", "asterisk_root")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the SQLite file inside the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'songda.sqlite3'}"

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    def ensure_dirs(self) -> None:
        """Create the data directory tree if it does not exist."""
        for path in (self.data_dir, self.documents_dir, self.evidence_dir):
            path.mkdir(parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()
