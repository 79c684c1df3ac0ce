"""Set-based statements for the import: chunked IN lookups, executemany inserts and updates."""

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Insert,
    Row,
    Table,
    bindparam,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

T = TypeVar("T")
IN_CHUNK = 900  # well under every backend's bound-parameter limit


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def select_in(
    session: Session, columns: Sequence[ColumnElement[Any]], key: ColumnElement[Any], values: Iterable[Any]
) -> list[Row[Any]]:
    """Rows of COLUMNS whose KEY is one of VALUES, in a few chunked queries."""
    wanted = sorted(set(values))
    rows: list[Row[Any]] = []
    for part in chunked(wanted):
        rows.extend(session.execute(select(*columns).where(key.in_(part))).all())
    return rows


def _insert(session: Session, table: Table, constants: dict[str, Any] | None) -> Insert:
    """INSERT into TABLE with CONSTANTS rendered once into the SQL, not bound and converted per row."""
    statement = insert(table)
    if constants:
        dialect = session.get_bind().dialect
        rendered = {}
        for name, value in constants.items():
            column = table.c[name]
            sql = literal(value, column.type).compile(dialect=dialect, compile_kwargs={"literal_binds": True})
            rendered[name] = literal_column(sql.string, column.type)
        statement = statement.values(rendered)
    return statement


def insert_returning(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    returning: Sequence[ColumnElement[Any]],
    constants: dict[str, Any] | None = None,
) -> list[Row[Any]]:
    """Insert ROWS in batches (insertmanyvalues) and return RETURNING's columns for each."""
    if not rows:
        return []
    return list(session.execute(_insert(session, table, constants).returning(*returning), rows).all())


def insert_many(
    session: Session, table: Table, rows: list[dict[str, Any]], constants: dict[str, Any] | None = None
) -> None:
    if rows:
        session.execute(_insert(session, table, constants), rows)


def update_by_id(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """UPDATE table SET ... WHERE id = row["id"] for each row; every row carries the same keys."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns})
    )
    params = [{"row_id": row["id"], **{f"new_{name}": row[name] for name in columns}} for row in rows]
    session.execute(statement, params)
