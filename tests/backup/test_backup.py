"""`songda backup` while evidence is being written, `songda restore` on an empty data dir and database,
and the restored system verifies: counts match, every chain is intact, every served delivery has its facts."""

import os
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from backend import database
from backend.auth import service as auth_service
from backend.auth.roles import Role
from backend.backup.service import BackupError, backup, read_manifest, restore
from backend.cases.models import Case
from backend.config import get_settings
from backend.demo.seed import seed_demo
from backend.evidence.enums import EvidenceKind
from backend.evidence.service import store_evidence
from tests.conftest import REPO_ROOT

SONGDA = str(REPO_ROOT / ".venv" / "bin" / "songda")


@pytest.fixture()
def target(engine: Engine, tmp_path: Path) -> Iterator[tuple[Engine, str, Path]]:
    """An empty database of the same kind as the suite's, and an empty data folder."""
    data_dir = tmp_path / "restored"
    data_dir.mkdir()
    if engine.dialect.name != "postgresql":
        url = f"sqlite:///{data_dir / 'songda.sqlite3'}"
        restored = database.build_engine(url)
        yield restored, url, data_dir
        restored.dispose()
        return
    schema = f"songda_restore_{uuid.uuid4().hex[:8]}"
    base = engine.url.set(query={}).render_as_string(hide_password=False)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}?options=-csearch_path%3D{schema}"
    restored = database.build_engine(url)
    try:
        yield restored, url, data_dir
    finally:
        restored.dispose()
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _keep_writing(case_id: int, stop: threading.Event, written: list[int]) -> None:
    """Evidence keeps arriving while the backup runs, as it does in a court at work."""
    while not stop.is_set():
        with database.get_session() as session:
            item = store_evidence(
                db_session=session, case_id=case_id, kind=EvidenceKind.other,
                content=f"live {len(written)} {datetime.now(UTC).isoformat()}".encode(),
                content_type="text/plain", created_by_system="test",
            )  # fmt: skip
            written.append(item.id)


def _songda(args: list[str], url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SONGDA_DATABASE_URL": url, "SONGDA_DATA_DIR": str(data_dir)}
    return subprocess.run([SONGDA, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def test_a_backup_taken_during_writes_restores_and_verifies(
    db: Engine, target: tuple[Engine, str, Path], tmp_path: Path
) -> None:
    with database.get_session() as session:
        seed_demo(db_session=session, cases=12, seed=11)
        case_id = session.scalar(select(Case.id).order_by(Case.id))
    assert case_id is not None
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_keep_writing, args=(case_id, stop, written))
    writer.start()
    try:
        snapshot = backup(engine=db, data_dir=get_settings().data_dir, dest=tmp_path / "backup")
    finally:
        stop.set()
        writer.join()
    assert written, "the writer should have run during the backup"

    restored, url, data_dir = target
    result = restore(engine=restored, database_url=url, data_dir=data_dir, source=snapshot.path)
    assert result.rows == read_manifest(snapshot.path)["rows"] == snapshot.rows
    with restored.connect() as connection:
        cases = connection.execute(select(func.count()).select_from(Case)).scalar()
    assert cases == snapshot.rows["case"] == 12

    verified = _songda(["evidence", "verify", "--all"], url, data_dir)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    audited = _songda(["evidence", "audit"], url, data_dir)
    assert audited.returncode == 0, audited.stdout + audited.stderr

    with (
        database.build_engine(url).connect() as connection,
        database.session_factory()(bind=connection) as session,
    ):
        user = auth_service.create_user(
            db_session=session,
            username="after-restore",
            full_name="恢复后",
            role=Role.clerk,
            password="x" * 12,
        )
        assert user.id > max(snapshot.rows["user_account"], 0)  # new ids continue after the restored ones


def test_restore_refuses_a_database_or_folder_that_is_not_empty(
    db: Engine, target: tuple[Engine, str, Path], tmp_path: Path, make_user: Callable[..., object]
) -> None:
    make_user(Role.admin)
    snapshot = backup(engine=db, data_dir=get_settings().data_dir, dest=tmp_path / "backup")
    with pytest.raises(BackupError, match="不是空目录"):
        backup(engine=db, data_dir=get_settings().data_dir, dest=tmp_path / "backup")
    with pytest.raises(BackupError, match="不是空库"):
        restore(engine=db, database_url=str(db.url), data_dir=tmp_path / "elsewhere", source=snapshot.path)
