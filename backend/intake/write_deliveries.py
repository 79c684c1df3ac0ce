"""Documents per case (unique by name) and one delivery per party with documents to serve.

A document listed for a party that none of its deliveries carries yet goes into the party's open
(pending / in progress) delivery, or into a new delivery when every earlier one is finished.
"""

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from backend.deliveries.enums import DeliveryStatus
from backend.deliveries.models import Delivery, delivery_document
from backend.documents.enums import kind_from_name
from backend.documents.models import Document
from backend.intake.bulk import insert_many, insert_returning, select_in, update_by_id
from backend.intake.enums import Column
from backend.intake.filestore import StoredFile
from backend.intake.issues import RowIssue
from backend.intake.plan import ImportCounts, ImportPlan
from backend.intake.write_cases import PartyKey

DOCUMENTS = cast(Table, Document.__table__)
DELIVERIES = cast(Table, Delivery.__table__)
LINKS = delivery_document
OPEN_STATUSES = (DeliveryStatus.pending, DeliveryStatus.in_progress)


def upsert_documents(
    session: Session, plan: ImportPlan, case_ids: dict[str, int], counts: ImportCounts
) -> dict[tuple[int, str], int]:
    """Document ids by (case id, name); a file found for a document without one is attached."""
    columns = [DOCUMENTS.c.id, DOCUMENTS.c.case_id, DOCUMENTS.c.name, DOCUMENTS.c.sha256]
    loaded = select_in(session, columns, DOCUMENTS.c.case_id, case_ids.values())
    existing = {(row.case_id, row.name): row for row in loaded}
    document_ids = {key: row.id for key, row in existing.items()}
    inserts, updates = [], []
    for case_number, name, first_row in _listed_documents(plan):
        key = (case_ids[case_number], name)
        stored = plan.files.get((case_number, name))
        current = existing.get(key)
        if current is None:
            inserts.append(
                {"case_id": key[0], "name": name, "kind": kind_from_name(name), **_file_fields(stored)}
            )
        elif stored is not None and current.sha256 is None:
            updates.append({"id": current.id, **_file_fields(stored)})
        elif stored is not None and current.sha256 != stored.sha256:
            message = f"文书「{name}」已有文件且内容不同，保留原文件，未替换"
            counts.warnings.append(RowIssue(first_row, Column.documents.value, name, message))
    for inserted in insert_returning(
        session,
        DOCUMENTS,
        inserts,
        [DOCUMENTS.c.id, DOCUMENTS.c.case_id, DOCUMENTS.c.name],
        {"created_at": plan.now},
    ):
        document_ids[(inserted.case_id, inserted.name)] = inserted.id
    update_by_id(session, DOCUMENTS, updates)
    counts.documents_created += len(inserts)
    counts.documents_updated += len(updates)
    counts.files_attached += sum(row["sha256"] is not None for row in inserts) + len(updates)
    return document_ids


def _listed_documents(plan: ImportPlan) -> list[tuple[str, str, int]]:
    """(case number, document name, first row listing it), once each, in file order."""
    first_rows: dict[tuple[str, str], int] = {}
    for party in plan.parties:
        for name in party.documents:
            first_rows.setdefault((party.case_number, name), party.row)
    return [(case_number, name, row) for (case_number, name), row in first_rows.items()]


def _file_fields(stored: StoredFile | None) -> dict[str, Any]:
    return {
        "file_path": stored.relative_path if stored else None,
        "sha256": stored.sha256 if stored else None,
        "size_bytes": stored.size_bytes if stored else None,
        "content_type": stored.content_type if stored else None,
    }


def sync_deliveries(
    session: Session,
    plan: ImportPlan,
    ids: tuple[dict[str, int], dict[PartyKey, int], dict[tuple[int, str], int]],
    known_party_ids: set[int],
    counts: ImportCounts,
) -> None:
    """Give every listed document to a delivery of its party; update open deliveries' deadlines."""
    case_ids, party_ids, document_ids = ids
    history = _DeliveryHistory(session, known_party_ids)
    new_deliveries: list[dict[str, Any]] = []
    new_documents: dict[int, list[int]] = {}  # party id -> documents of its new delivery
    links: list[dict[str, int]] = []
    deadline_updates: list[dict[str, Any]] = []
    extended: set[int] = set()
    for party in plan.parties:
        party_id = party_ids[(party.case_number, party.identity_key)]
        case_id = case_ids[party.case_number]
        wanted = [document_ids[(case_id, name)] for name in party.documents]
        missing = [doc_id for doc_id in wanted if doc_id not in history.linked.get(party_id, set())]
        open_delivery = history.open_delivery.get(party_id)
        if missing and open_delivery is None:
            new_deliveries.append({"case_id": case_id, "party_id": party_id, "deadline": party.deadline})
            new_documents[party_id] = missing
            continue
        if missing and open_delivery is not None:
            links.extend({"delivery_id": open_delivery["id"], "document_id": doc_id} for doc_id in missing)
            extended.add(open_delivery["id"])
        if _deadline_changed(plan, party.documents, open_delivery, party.deadline):
            assert open_delivery is not None
            deadline_updates.append(
                {"id": open_delivery["id"], "deadline": party.deadline, "updated_at": plan.now}
            )
    returning = [DELIVERIES.c.id, DELIVERIES.c.party_id]
    constants = {"status": DeliveryStatus.pending, "created_at": plan.now, "updated_at": plan.now}
    for inserted in insert_returning(session, DELIVERIES, new_deliveries, returning, constants):
        links.extend(
            {"delivery_id": inserted.id, "document_id": doc_id} for doc_id in new_documents[inserted.party_id]
        )
    insert_many(session, LINKS, links)
    update_by_id(session, DELIVERIES, deadline_updates)
    counts.deliveries_created += len(new_deliveries)
    counts.deliveries_updated += len(extended | {row["id"] for row in deadline_updates})


def _deadline_changed(
    plan: ImportPlan, documents: tuple[str, ...], delivery: dict[str, Any] | None, deadline: Any
) -> bool:
    """A party listed with documents whose open delivery has another 送达期限 than the export."""
    if delivery is None or not documents or Column.deadline not in plan.columns:
        return False
    return bool(delivery["deadline"] != deadline)


class _DeliveryHistory:
    """The known parties' deliveries: which documents each party already has, and its open delivery."""

    def __init__(self, session: Session, party_ids: set[int]) -> None:
        columns = [DELIVERIES.c.id, DELIVERIES.c.party_id, DELIVERIES.c.status, DELIVERIES.c.deadline]
        deliveries = select_in(session, columns, DELIVERIES.c.party_id, party_ids)
        self.open_delivery: dict[int, dict[str, Any]] = {}
        for row in sorted(deliveries, key=lambda row: row.id):
            if row.status in OPEN_STATUSES:
                self.open_delivery[row.party_id] = row._asdict()
        party_of = {row.id: row.party_id for row in deliveries}
        link_columns = [LINKS.c.delivery_id, LINKS.c.document_id]
        self.linked: dict[int, set[int]] = {}
        for link in select_in(session, link_columns, LINKS.c.delivery_id, party_of):
            self.linked.setdefault(party_of[link.delivery_id], set()).add(link.document_id)
