"""SQLite writers within one process queue on a lock taken with their first write and given back when
their transaction ends (commit, rollback, or the connection returned unfinished), so a waiting writer
goes on the moment the one ahead is done, and nothing is lost or written twice."""

import threading
from pathlib import Path

from sqlalchemy import Engine, text

from backend.core import sqlite_writes
from backend.database import build_engine
from tests.polling import poll_until


def _engine(tmp_path: Path) -> Engine:
    engine = build_engine(f"sqlite:///{tmp_path / 'writes.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    return engine


def _write_in_thread(engine: Engine, body: str, done: threading.Event) -> threading.Thread:
    def write() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def _bodies(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT body FROM note ORDER BY id")).scalars())


def test_a_second_writer_waits_for_the_first_to_commit_then_writes(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    lock = sqlite_writes._lock_for(str(tmp_path / "writes.sqlite3"))
    with engine.connect() as first:
        first.execute(text("SELECT count(*) FROM note"))
        assert not lock.locked()  # reading takes nothing
        first.execute(text("INSERT INTO note (body) VALUES ('first')"))
        assert lock.locked()
        done = threading.Event()
        second = _write_in_thread(engine, "second", done)
        assert not done.wait(0.3)  # queued behind the first writer's open transaction
        first.commit()
    second.join(timeout=30)
    assert done.is_set() and _bodies(engine) == ["first", "second"]
    poll_until(lambda: not lock.locked(), timeout=5, what="the lock given back")
    engine.dispose()


def test_a_rolled_back_or_abandoned_transaction_gives_the_lock_back(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    lock = sqlite_writes._lock_for(str(tmp_path / "writes.sqlite3"))
    with engine.connect() as first:
        first.execute(text("INSERT INTO note (body) VALUES ('undone')"))
        first.rollback()
    assert not lock.locked()
    connection = engine.connect()
    connection.execute(text("INSERT INTO note (body) VALUES ('abandoned')"))
    assert lock.locked()
    connection.close()  # returned to the pool unfinished: rolled back
    assert not lock.locked()
    done = threading.Event()
    _write_in_thread(engine, "kept", done).join(timeout=30)
    assert done.is_set() and _bodies(engine) == ["kept"]
    engine.dispose()
