"""Table rows as JSON lines and back, keeping the types JSON has no word for."""

import base64
import json
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Table


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, time):
        return {"$t": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    if isinstance(value, Enum):
        return value.value
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, text),) = value.items()
        if tag == "$dt":
            return datetime.fromisoformat(text)
        if tag == "$d":
            return date.fromisoformat(text)
        if tag == "$t":
            return time.fromisoformat(text)
        if tag == "$b":
            return base64.b64decode(text)
        if tag == "$n":
            return Decimal(text)
    return value


def stored_columns(table: Table) -> list[str]:
    """The columns a backup keeps: not those the database computes itself (they cannot be inserted)."""
    return [column.name for column in table.columns if column.computed is None]


def to_line(table: Table, row: Any) -> str:
    values = {name: encode(row._mapping[name]) for name in stored_columns(table)}
    return json.dumps(values, ensure_ascii=False)


def from_line(table: Table, line: str) -> dict[str, Any]:
    kept = set(stored_columns(table))
    return {name: decode(value) for name, value in json.loads(line).items() if name in kept}
