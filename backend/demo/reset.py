"""Removing the demo: its cases and every row that hangs off them, found through the foreign keys.

The chain witness files of the removed cases go too: a witness vouches for entries of a case that no
longer exists (and SQLite may hand its id to a new case). The evidence files stay in the write-once,
content-addressed store.
"""

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from backend.cases.models import Case
from backend.database import Base
from backend.deliveries import upkeep
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.documents.models import Document
from backend.evidence.witness import witness_path
from backend.parties.models import ContactPoint, Party

DEMO_KEY_PREFIX = "demo:"
DEMO_DOCUMENTS_DIR = "demo"
_CHUNK = 500


def demo_present(*, db_session: Session) -> bool:
    query = select(Party.id).where(Party.identity_key.startswith(DEMO_KEY_PREFIX)).limit(1)
    return db_session.scalar(query) is not None


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _ids_below(db_session: Session, case_ids: Sequence[int]) -> dict[str, list[int]]:
    """The ids of the demo rows other tables may point at, by table name."""

    party_ids = list(db_session.scalars(select(Party.id).where(Party.case_id.in_(case_ids))))
    delivery_ids = list(db_session.scalars(select(Delivery.id).where(Delivery.case_id.in_(case_ids))))
    contact_query = select(ContactPoint.id).where(ContactPoint.party_id.in_(party_ids))
    attempt_query = select(DeliveryAttempt.id).where(DeliveryAttempt.delivery_id.in_(delivery_ids))
    return {
        "case": list(case_ids),
        "party": party_ids,
        "contact_point": list(db_session.scalars(contact_query)),
        "document": list(db_session.scalars(select(Document.id).where(Document.case_id.in_(case_ids)))),
        "delivery": delivery_ids,
        "delivery_attempt": list(db_session.scalars(attempt_query)),
    }


def _hold_off_background_writers(db_session: Session, ids_by_table: dict[str, list[int]]) -> None:
    """Lock the cases and attempts to delete: a background task (a proof being made) that writes a row
    pointing at them then waits for this transaction instead of adding its row between the deletes."""
    db_session.execute(select(Case.id).where(Case.id.in_(ids_by_table["case"])).with_for_update()).all()
    attempts = ids_by_table["delivery_attempt"]
    db_session.execute(select(DeliveryAttempt.id).where(DeliveryAttempt.id.in_(attempts)).with_for_update()).all()


def _delete_rows(db_session: Session, table: Table, ids_by_table: dict[str, list[int]]) -> None:
    if table.name in ids_by_table:
        db_session.execute(delete(table).where(table.c.id.in_(ids_by_table[table.name])))
        return
    for column in table.columns:
        for foreign_key in column.foreign_keys:
            target = foreign_key.column.table.name
            if ids_by_table.get(target):
                db_session.execute(delete(table).where(column.in_(ids_by_table[target])))


def remove_demo(*, db_session: Session, documents_dir: Path) -> int:
    """Delete the demo cases with everything that refers to them, and their files; returns the count."""
    query = select(Party.case_id).where(Party.identity_key.startswith(DEMO_KEY_PREFIX)).distinct()
    case_ids = sorted(db_session.scalars(query))
    for chunk in _chunks(case_ids):
        ids_by_table = _ids_below(db_session, chunk)
        _hold_off_background_writers(db_session, ids_by_table)
        upkeep.forget_deliveries(db_session.connection(), ids_by_table["delivery"])
        for table in reversed(Base.metadata.sorted_tables):
            _delete_rows(db_session, table, ids_by_table)
    db_session.flush()
    shutil.rmtree(documents_dir / DEMO_DOCUMENTS_DIR, ignore_errors=True)
    for case_id in case_ids:
        witness_path(case_id).unlink(missing_ok=True)
    return len(case_ids)
