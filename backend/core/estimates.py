"""How many rows a query would return, as PostgreSQL's planner estimates it (EXPLAIN, not run): what a
list shows as "about N" where counting every match of years of history would cost more than the page."""

from typing import Any

from sqlalchemy import ClauseElement, Executable, Select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler


class _Explain(Executable, ClauseElement):
    """EXPLAIN (FORMAT JSON) of a statement, its parameters bound as the statement's own."""

    inherit_cache = False

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def estimated_rows(db_session: Session, statement: Select[Any]) -> int | None:
    """The planner's estimate of STATEMENT's rows on PostgreSQL; None on other databases."""
    if db_session.get_bind().dialect.name != "postgresql":
        return None
    plan = db_session.execute(_Explain(statement)).scalar_one()
    return int(plan[0]["Plan"]["Plan Rows"])
