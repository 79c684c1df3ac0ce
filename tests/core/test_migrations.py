"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from backend import database, dbmigrate
from backend.database import Base


@pytest.fixture()
def empty_database(tmp_path: Path) -> Iterator[str]:
    base_url = os.environ.get("SONGDA_TEST_DATABASE_URL", "")
    if not base_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    schema = f"songda_mig_{uuid.uuid4().hex[:8]}"
    admin = database.build_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in base_url else "?"
    yield f"{base_url}{joiner}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _on_this_database(engine: Engine) -> Callable[..., bool]:
    """Leave out of the comparison what the models build on another database only (.ddl_if)."""

    def include(item: object, _name: object, kind: str, _reflected: bool, _compare_to: object) -> bool:
        ddl_if = getattr(item, "_ddl_if", None)
        return kind != "index" or ddl_if is None or ddl_if.dialect in (None, engine.dialect.name)

    return include


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": _on_this_database(engine)}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_head_matches_the_models(empty_database: str) -> None:
    dbmigrate.upgrade(url=empty_database)
    engine = database.build_engine(empty_database)
    try:
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_constraints_follow_the_naming_convention(empty_database: str) -> None:
    dbmigrate.upgrade(url=empty_database)
    engine = database.build_engine(empty_database)
    try:
        inspector = inspect(engine)
        for foreign_key in inspector.get_foreign_keys("delivery"):
            assert foreign_key["name"].startswith("fk_delivery_"), foreign_key
        assert inspector.get_pk_constraint("case")["name"] in ("pk_case", None)  # SQLite names no PKs
    finally:
        engine.dispose()
