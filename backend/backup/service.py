"""`songda backup DEST` / `songda restore SRC`: a consistent snapshot of a running system, and bringing it up
on a fresh machine.

The database is read in one read-only transaction (REPEATABLE READ on PostgreSQL; SQLite's WAL gives the
same snapshot), table by table as compressed JSON lines, so a snapshot restores on either database. Files
are copied after that snapshot: evidence and documents are write-once and written before their rows
commit, so every file a snapshot row names is already there. A case's chain witness is cut to the entries
in the snapshot (entries committed during the backup belong to the next one).
"""

import gzip
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, select, text

from backend import dbmigrate
from backend.backup.rows import from_line, to_line
from backend.database import Base, utcnow
from backend.deliveries import upkeep
from backend.evidence.models import EvidenceChainEntry

FORMAT = 1
BATCH = 1_000
MANIFEST = "manifest.json"
FILE_TREES = ("evidence", "documents")
WITNESS_DIR = Path("evidence") / "chain-witness"
# Files still being written (renamed into the store when complete, or deleted): no committed row names them.
IN_FLIGHT_DIR = Path("evidence") / "incoming"


class BackupError(ValueError):
    """A backup or restore that cannot be made as asked (a clear Chinese message)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    path: Path
    rows: dict[str, int]
    files: int


@contextmanager
def _snapshot_connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        else:
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def _schema_revision(connection: Connection) -> str:
    """The migration the database is at (a schema made from the models, as in tests, is at the head)."""
    if "alembic_version" not in inspect(connection).get_table_names():
        return dbmigrate.head_revision()
    return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar())


def _dump_tables(connection: Connection, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True)
    counts = {}
    for table in Base.metadata.sorted_tables:
        count = 0
        with gzip.open(folder / f"{table.name}.jsonl.gz", "wt", encoding="utf-8") as out:
            for row in connection.execute(select(table)).yield_per(BATCH):
                out.write(to_line(table, row) + "\n")
                count += 1
        counts[table.name] = count
    return counts


def _chain_heads(connection: Connection) -> dict[int, int]:
    query = select(EvidenceChainEntry.case_id, func.max(EvidenceChainEntry.seq)).group_by(
        EvidenceChainEntry.case_id
    )
    return {case_id: seq for case_id, seq in connection.execute(query)}


def _copy_files(data_dir: Path, dest: Path) -> int:
    copied = 0
    for tree in FILE_TREES:
        source = data_dir / tree
        if not source.is_dir():
            continue
        for path in source.rglob("*"):
            parents = path.relative_to(data_dir).parents
            if path.is_file() and WITNESS_DIR not in parents and IN_FLIGHT_DIR not in parents:
                target = dest / path.relative_to(data_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                copied += 1
    return copied


def _copy_witnesses(data_dir: Path, dest: Path, heads: dict[int, int]) -> int:
    """Each case's witness lines up to the snapshot's chain head."""
    source = data_dir / WITNESS_DIR
    if not source.is_dir():
        return 0
    (dest / WITNESS_DIR).mkdir(parents=True, exist_ok=True)
    for path in source.glob("case-*.jsonl"):
        head = heads.get(int(path.stem.removeprefix("case-")), 0)
        lines = [
            line for line in path.read_text().splitlines() if line.strip() and json.loads(line)["seq"] <= head
        ]
        (dest / WITNESS_DIR / path.name).write_text("".join(f"{line}\n" for line in lines))
    return len(list(source.glob("case-*.jsonl")))


def backup(*, engine: Engine, data_dir: Path, dest: Path) -> Snapshot:
    """Write a consistent snapshot of the database and files to DEST (a new or empty folder)."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"备份目录 {dest} 不是空目录")
    dest.mkdir(parents=True, exist_ok=True)
    with _snapshot_connection(engine) as connection:
        revision = _schema_revision(connection)
        rows = _dump_tables(connection, dest / "tables")
        heads = _chain_heads(connection)
    files = _copy_files(data_dir, dest / "files") + _copy_witnesses(data_dir, dest / "files", heads)
    manifest = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "database": engine.dialect.name,
        "alembic_revision": revision,
        "rows": rows,
        "files": files,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return Snapshot(path=dest, rows=rows, files=files)


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} 不是 Songda 备份（缺少 {MANIFEST}）")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式：{manifest.get('format')}")
    return manifest


def _refuse_if_not_empty(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in names and connection.execute(select(func.count()).select_from(table)).scalar():
                raise BackupError(f"目标数据库不是空库（表 {table.name} 已有数据），恢复须在空库上进行")


def _load_tables(engine: Engine, folder: Path) -> dict[str, int]:
    counts = {}
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            count = 0
            with gzip.open(folder / f"{table.name}.jsonl.gz", "rt", encoding="utf-8") as source:
                batch: list[dict[str, Any]] = []
                for line in source:
                    batch.append(from_line(table, line))
                    if len(batch) == BATCH:
                        connection.execute(table.insert(), batch)
                        count, batch = count + len(batch), []
                if batch:
                    connection.execute(table.insert(), batch)
                    count += len(batch)
            counts[table.name] = count
        upkeep.rebuild(connection)  # the derived facts, made afresh from what was restored
        if engine.dialect.name == "postgresql":
            _reset_sequences(connection)
    return counts


def _reset_sequences(connection: Connection) -> None:
    """New rows after a restore continue after the restored ids."""
    for table in Base.metadata.sorted_tables:
        if "id" in table.columns and table.columns["id"].autoincrement is not False:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
            )


def _restore_files(source: Path, data_dir: Path) -> int:
    restored = 0
    files = source / "files"
    for path in files.rglob("*") if files.is_dir() else ():
        if path.is_file():
            target = data_dir / path.relative_to(files)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            restored += 1
    return restored


def restore(*, engine: Engine, database_url: str, data_dir: Path, source: Path) -> Snapshot:
    """Bring the snapshot at SOURCE up on an empty database and data folder."""
    manifest = read_manifest(source)
    if (data_dir / "evidence").is_dir() and any((data_dir / "evidence").iterdir()):
        raise BackupError(f"目标数据目录 {data_dir} 已有证据文件，恢复须在空目录上进行")
    _refuse_if_not_empty(engine)
    if "alembic_version" not in inspect(engine).get_table_names():
        dbmigrate.upgrade(database_url, revision=str(manifest["alembic_revision"]))  # the snapshot's schema
    rows = _load_tables(engine, source / "tables")
    dbmigrate.upgrade(database_url)  # then this release's, carrying the rows forward
    if rows != manifest["rows"]:
        raise BackupError(f"恢复的行数与备份不符：{rows} ≠ {manifest['rows']}")
    files = _restore_files(source, data_dir)
    return Snapshot(path=source, rows=rows, files=files)
