"""Backup rows keep every column type JSON has no word for, and give back the same values."""

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from backend.backup.rows import decode, encode


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 5, 2, 0, 30, 123456, tzinfo=UTC),
        date(2026, 3, 5),
        time(9, 30),  # a pickup window's opening hour
        b"\x00\xffpdf",
        Decimal("12.50"),
        "文书",
        None,
        7,
    ],
)
def test_a_value_survives_the_json_line(value: object) -> None:
    back = decode(json.loads(json.dumps(encode(value))))
    assert back == value and type(back) is type(value)
