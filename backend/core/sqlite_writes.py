"""One writer at a time on a SQLite file, handed over at once within this process.

SQLite lets one connection write at a time. A second writer waits in SQLite's busy handler, which sleeps
1, 2, 5 ... up to 100 ms between its tries, so under load a write may wait far longer than the writer
ahead of it took (the party portal's signatures waited over a second behind page reports). Within a
process, writers queue on a lock instead: a connection takes it before its transaction's first write
statement (when SQLite takes its own write lock) and gives it back as soon as the transaction has
committed or rolled back. A writer that waits longer than the busy timeout goes on without it, and
SQLite's own lock decides as before.
"""

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

_HELD = "songda_sqlite_write_lock"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(database: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(database, threading.Lock())


def _is_write(statement: str) -> bool:
    return statement.lstrip().upper().startswith(_WRITES)


def serialise_writes(engine: Engine, *, wait_seconds: float) -> None:
    """Make ENGINE's connections (and any other engine's on the same file) write one at a time."""
    lock = _lock_for(engine.url.database or ":memory:")

    def take(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = connection.connection.info
        if not info.get(_HELD) and _is_write(statement) and lock.acquire(timeout=wait_seconds):
            info[_HELD] = True

    def give_back(info: dict[Any, Any]) -> None:
        if info.pop(_HELD, False):
            lock.release()

    def finish(how: str) -> Any:
        def finish_transaction(connection: Any) -> None:
            info = connection.connection.info
            if not info.get(_HELD):
                return
            try:  # end the transaction here, so the lock is given back after it, not before
                getattr(connection.connection.dbapi_connection, how)()
            finally:
                give_back(info)

        return finish_transaction

    event.listen(engine, "before_cursor_execute", take)
    event.listen(engine, "commit", finish("commit"))
    event.listen(engine, "rollback", finish("rollback"))
    _give_back_when_connections_end(engine, give_back)


def _give_back_when_connections_end(engine: Engine, give_back: Callable[[dict[Any, Any]], None]) -> None:
    """However else a connection ends (returned, reset, invalidated, closed), its lock goes back."""

    def returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            give_back(record.info)

    def reset(dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
        returned(dbapi_connection, record)

    def invalidated(dbapi_connection: Any, record: Any, _exception: BaseException | None) -> None:
        returned(dbapi_connection, record)

    event.listen(engine.pool, "checkin", returned)
    event.listen(engine.pool, "close", returned)
    event.listen(engine.pool, "reset", reset)
    event.listen(engine.pool, "invalidate", invalidated)
