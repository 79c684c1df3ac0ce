from pathlib import Path

import pytest

from backend.config import Settings


def test_env_file_in_working_directory_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SONGDA_DATA_DIR", raising=False)
    monkeypatch.delenv("SONGDA_DATABASE_URL", raising=False)
    env_file = "SONGDA_DATA_DIR=court-data\nSONGDA_LOCKOUT_MINUTES=30\n"
    (tmp_path / ".env").write_text(env_file, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.data_dir == tmp_path / "court-data"
    assert settings.lockout_minutes == 30
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'court-data' / 'songda.sqlite3'}"


def test_environment_overrides_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("SONGDA_PORT=9000\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SONGDA_PORT", "9100")
    assert Settings().port == 9100


def test_database_url_given_wins_over_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SONGDA_DATABASE_URL", "postgresql+psycopg://songda@db/songda")
    assert Settings().effective_database_url == "postgresql+psycopg://songda@db/songda"


def test_ensure_dirs_creates_one_data_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SONGDA_DATA_DIR", str(tmp_path / "data"))
    settings = Settings()
    settings.ensure_dirs()
    assert settings.documents_dir.is_dir() and settings.evidence_dir.is_dir()
    assert settings.documents_dir.parent == settings.evidence_dir.parent == tmp_path / "data"
