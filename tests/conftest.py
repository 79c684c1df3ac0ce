"""Shared fixtures: an isolated data dir, a real database (SQLite or PostgreSQL), users and an API client.

Set SONGDA_TEST_DATABASE_URL to run the suite on PostgreSQL, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test (each session gets its own schema).
"""

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("SONGDA_SHARED_DIR", REPO_ROOT.parent / "shared"))

_DATA_DIR = Path(tempfile.mkdtemp(prefix="songda-test-"))
os.environ["SONGDA_DATA_DIR"] = str(_DATA_DIR)
os.environ.setdefault("SONGDA_VOSK_MODEL", str(SHARED_DIR / "asr/models/vosk-model-small-cn-0.22"))
os.environ["SONGDA_LOCKOUT_THRESHOLD"] = "5"
# Calls placed by tests are not transcribed in the background unless a test asks (tests/transcripts).
os.environ.setdefault("SONGDA_TRANSCRIBE_AFTER_CALL", "false")
# The router's periodic pass runs only where a test drives it (with a controlled clock).
os.environ.setdefault("SONGDA_IN_PROCESS_SCHEDULER", "false")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import backend.models  # noqa: E402
import backend.wiring  # noqa: E402,F401
from backend import database, taskqueue  # noqa: E402
from backend.auth import service as auth_service  # noqa: E402
from backend.auth.models import User  # noqa: E402
from backend.auth.roles import Role  # noqa: E402
from backend.config import get_settings  # noqa: E402
from backend.database import Base  # noqa: E402
from backend.evidence.witness import witness_path  # noqa: E402

TEST_PASSWORD = "correct-horse-42"


def _postgres_schema_url(base_url: str) -> tuple[str, str]:
    schema = f"songda_test_{uuid.uuid4().hex[:10]}"
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}options=-csearch_path%3D{schema}", schema


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database for this test session: SQLite file, or a private PostgreSQL schema."""
    base_url = os.environ.get("SONGDA_TEST_DATABASE_URL", "")
    if not base_url.startswith("postgresql"):
        yield f"sqlite:///{_DATA_DIR / 'test.sqlite3'}"
        return
    url, schema = _postgres_schema_url(base_url)
    admin = database.build_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    os.environ["SONGDA_DATABASE_URL"] = database_url
    get_settings.cache_clear()
    get_settings().ensure_dirs()
    engine = database.configure(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


def _empty_all_tables(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture()
def db(engine: Engine) -> Iterator[Engine]:
    """A database emptied after the test, with the evidence chain witnesses that mirror it."""
    yield engine
    taskqueue.shutdown(wait=True)  # background tasks of this test finish before its data goes
    _empty_all_tables(engine)
    shutil.rmtree(witness_path(0).parent, ignore_errors=True)


@pytest.fixture()
def db_session(db: Engine) -> Iterator[Session]:
    session = database.session_factory()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture()
def make_user(db: Engine) -> Callable[..., User]:
    """Create a committed user of ROLE (username defaults to the role name)."""

    def make(role: Role, username: str | None = None, **fields: object) -> User:
        with database.get_session() as session:
            return auth_service.create_user(
                db_session=session,
                username=username or f"{role.value}-{uuid.uuid4().hex[:6]}",
                full_name=str(fields.pop("full_name", "测试用户")),
                role=role,
                password=TEST_PASSWORD,
                **fields,  # type: ignore[arg-type]
            )

    return make


@pytest.fixture()
def client(db: Engine) -> Iterator[TestClient]:
    from backend.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture()
def login(client: TestClient, make_user: Callable[..., User]) -> Callable[..., dict[str, str]]:
    """Create a user of ROLE, log in through the API, return the Authorization header."""

    def do_login(role: Role, **fields: object) -> dict[str, str]:
        user = make_user(role, **fields)
        response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    return do_login
