"""Engine, sessions and the declarative base shared by every domain package."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

import anyio
from anyio.lowlevel import RunVar
from fastapi import Depends
from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from backend.config import get_settings
from backend.core.sqlite_writes import serialise_writes

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[dict[str, Any]]: JSON,
    }


_engine: Engine | None = None
_session_factory: sessionmaker[Session] | None = None


SQLITE_BUSY_SECONDS = 30  # how long a SQLite writer waits for another's transaction before giving up


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.close()


def build_engine(url: str, *, pool_size: int = 5, max_overflow: int = 10, pool_timeout: float = 30) -> Engine:
    """An engine for URL with a pool of that size; SQLite gets foreign keys, WAL, a busy timeout and one
    writer at a time within the process (backend.core.sqlite_writes)."""
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        serialise_writes(engine, wait_seconds=SQLITE_BUSY_SECONDS)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def configure(url: str | None = None) -> Engine:
    """(Re)bind the process-wide engine; tests call it to switch databases."""
    global _engine, _session_factory
    if _engine is not None:
        _engine.dispose()
    settings = get_settings()
    if url is None:
        settings.ensure_dirs()
    _engine = build_engine(
        url or settings.effective_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    _session_factory = sessionmaker(bind=_engine, expire_on_commit=False)
    return _engine


def get_engine() -> Engine:
    return _engine if _engine is not None else configure()


def session_factory() -> sessionmaker[Session]:
    if _session_factory is None:
        configure()
    assert _session_factory is not None
    return _session_factory


@contextmanager
def get_session() -> Iterator[Session]:
    """A session for workers and CLI commands: commits on success, rolls back on error."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def request_session_slots() -> int:
    """How many requests may hold a session at once: the pool less the task threads and two spare."""
    settings = get_settings()
    return max(1, settings.db_pool_size + settings.db_max_overflow - settings.task_threads - 2)


_slots: RunVar[anyio.CapacityLimiter] = RunVar("songda_request_session_slots")


def _session_slots() -> anyio.CapacityLimiter:
    try:
        return _slots.get()
    except LookupError:
        _slots.set(anyio.CapacityLimiter(request_session_slots()))
        return _slots.get()


async def _off_loop(step: Callable[[], None]) -> None:
    """Run a session's commit, rollback or close in a thread of its own (not one of the limited worker
    threads, which may all be waiting for a connection this session holds), to the end even if cancelled."""
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(step, limiter=anyio.CapacityLimiter(1))


async def _request_session() -> AsyncIterator[Session]:
    # A request holds its connection across several hops to worker threads (dependencies, the endpoint,
    # validating the answer). Were every worker thread waiting for a connection while the requests holding
    # them waited for a thread, all would stall until the pool timeout: a request first waits, without a
    # thread, for one of the slots the pool can always serve.
    async with _session_slots():
        session = session_factory()()
        try:
            yield session
        except BaseException:
            await _off_loop(session.rollback)
            raise
        else:
            await _off_loop(session.commit)
        finally:
            await _off_loop(session.close)


# scope="function": the request's writes commit before its response is sent, so a failed commit becomes an
# error answer (backend.core.http) instead of a 200 for a write that was never stored.
SessionDep = Annotated[Session, Depends(_request_session, scope="function")]


def enum_column(enum_cls: type[Any], length: int = 32) -> Any:
    """A portable string column that stores a StrEnum's values (no native DB enum)."""
    from sqlalchemy import Enum as SAEnum

    return SAEnum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
