"""Writing the planned demo with bulk INSERT ... RETURNING, one statement per table; the evidence of each
served attempt goes through the evidence store (backend.demo.proof_writer)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from backend.cases.models import Case
from backend.courts.models import Court
from backend.deliveries import upkeep
from backend.deliveries.enums import AttemptStatus
from backend.deliveries.models import Delivery, DeliveryAttempt, delivery_document
from backend.demo import pdfs
from backend.demo.people import SOURCE
from backend.demo.plan import COURTROOMS, AttemptPlan, CasePlan, DeliveryPlan, beijing, role_label
from backend.demo.proof_writer import PlacedAttempt, ProofWriter
from backend.demo.reset import DEMO_DOCUMENTS_DIR, DEMO_KEY_PREFIX
from backend.documents.models import Document
from backend.parties.enums import ContactEventKind
from backend.parties.models import ContactPoint, ContactPointEvent, Party


@dataclass
class WrittenCounts:
    cases: int = 0
    parties: int = 0
    contact_points: int = 0
    documents: int = 0
    deliveries: int = 0
    attempts: int = 0
    evidence: int = 0


class DemoWriter:
    def __init__(
        self,
        db_session: Session,
        *,
        court: Court,
        users: dict[str, int],
        documents_dir: Path,
        now: datetime,
        proofs: ProofWriter,
    ) -> None:
        self.db_session = db_session
        self.now = now
        self.court = court
        self.users = users
        self.documents_dir = documents_dir
        self.proofs = proofs

    def _insert(self, model: Any, rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(self.db_session.scalars(statement, rows))

    def write(self, plans: list[CasePlan]) -> WrittenCounts:
        case_ids = self._insert(Case, [self._case_row(plan) for plan in plans])
        party_ids = self._parties(plans, case_ids)
        contact_ids = self._contacts(plans, party_ids)
        document_ids, files = self._documents(plans, case_ids)
        self.proofs.prepare(plans, files)
        delivery_ids = self._deliveries(plans, case_ids, party_ids, document_ids)
        attempt_ids = self._attempts(plans, delivery_ids, contact_ids)
        upkeep.refresh_cases(self.db_session.connection(), case_ids)  # inserted with Core: no flush hook
        placed = (
            PlacedAttempt(case_id, attempt_id, attempt)
            for (case_id, attempt), attempt_id in zip(
                _attempts_by_case(plans, case_ids), attempt_ids, strict=True
            )
            if attempt.status is AttemptStatus.succeeded
        )
        evidence = self.proofs.write(placed)
        return WrittenCounts(
            cases=len(case_ids),
            parties=sum(map(len, party_ids)),
            contact_points=sum(len(ids) for per_case in contact_ids for ids in per_case),
            documents=sum(map(len, document_ids)),
            deliveries=sum(map(len, delivery_ids)),
            attempts=len(attempt_ids),
            evidence=evidence,
        )

    def _case_row(self, plan: CasePlan) -> dict[str, Any]:
        return {
            "court_id": self.court.id,
            "case_number": plan.case_number,
            "cause": plan.cause,
            "case_type": plan.case_type,
            "filed_on": plan.filed_on,
            "judge_name": plan.judge,
            "clerk_name": plan.clerk,
            "hearing_at": plan.hearing_at,
            "courtroom": _courtroom(plan),
            "service_deadline": plan.service_deadline,
            "created_at": min(beijing(plan.filed_on, time(10, 0)), self.now),
        }

    def _parties(self, plans: list[CasePlan], case_ids: list[int]) -> list[list[int]]:
        rows = [
            {
                "case_id": case_id,
                "identity_key": f"{DEMO_KEY_PREFIX}{index}:{party.id_number}",
                "name": party.name,
                "party_type": party.party_type,
                "litigation_role": party.role,
                "id_number": party.id_number,
            }
            for plan, case_id in zip(plans, case_ids, strict=True)
            for index, party in enumerate(plan.parties)
        ]
        flat = iter(self._insert(Party, rows))
        return [[next(flat) for _ in plan.parties] for plan in plans]

    def _contacts(self, plans: list[CasePlan], party_ids: list[list[int]]) -> list[list[list[int]]]:
        rows = [
            {
                "party_id": party_id,
                "kind": contact.kind,
                "value": contact.value,
                "source": SOURCE,
                "state": contact.state,
            }
            for plan, parties in zip(plans, party_ids, strict=True)
            for party, party_id in zip(plan.parties, parties, strict=True)
            for contact in party.contacts
        ]
        flat = iter(self._insert(ContactPoint, rows))
        ids = [[[next(flat) for _ in party.contacts] for party in plan.parties] for plan in plans]
        self._insert(ContactPointEvent, self._event_rows(plans, ids))
        return ids

    def _event_rows(self, plans: list[CasePlan], ids: list[list[list[int]]]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for plan, per_party in zip(plans, ids, strict=True):
            added = (ContactEventKind.added, beijing(plan.filed_on, time(10, 0)), "法院系统导出")
            for party, contact_ids in zip(plan.parties, per_party, strict=True):
                for contact, contact_id in zip(party.contacts, contact_ids, strict=True):
                    rows += [
                        {
                            "contact_point_id": contact_id,
                            "kind": kind,
                            "source": SOURCE,
                            "note": note,
                            "at": at,
                        }
                        for kind, at, note in (added, *contact.events)
                    ]
        return rows

    def _document_row(self, plan: CasePlan, case_id: int, index: int) -> dict[str, Any]:
        """Render and store the PDF of the INDEXth document of PLAN; its row for the document table."""
        document = plan.documents[index]
        party = plan.parties[document.party]
        role = role_label(party, plan.case_type)
        text = pdfs.DocumentText(
            self.court.name,
            plan.case_number,
            document.title,
            party.name,
            role,
            plan.cause,
            document.issued_on,
        )
        relative = f"{DEMO_DOCUMENTS_DIR}/{case_id}/{index + 1:02d}.pdf"
        stored = pdfs.store(pdfs.render(text), documents_dir=self.documents_dir, relative_path=relative)
        return {
            "case_id": case_id,
            "name": document.name,
            "kind": document.kind,
            "file_path": stored.relative_path,
            "sha256": stored.sha256,
            "size_bytes": stored.size_bytes,
            "content_type": "application/pdf",
            "created_at": min(beijing(document.issued_on, time(9, 0)), self.now),
        }

    def _documents(
        self, plans: list[CasePlan], case_ids: list[int]
    ) -> tuple[list[list[int]], list[list[tuple[str, str]]]]:
        """The ids of each case's documents, and their (name, sha256)."""
        rows = [
            self._document_row(plan, case_id, index)
            for plan, case_id in zip(plans, case_ids, strict=True)
            for index in range(len(plan.documents))
        ]
        flat = iter(zip(self._insert(Document, rows), rows, strict=True))
        written = [[next(flat) for _ in plan.documents] for plan in plans]
        ids = [[document_id for document_id, _ in per_case] for per_case in written]
        files = [[(row["name"], row["sha256"]) for _, row in per_case] for per_case in written]
        return ids, files

    def _delivery_row(self, delivery: DeliveryPlan, case_id: int, party_id: int) -> dict[str, Any]:
        served = next((a for a in delivery.attempts if a.status is AttemptStatus.succeeded), None)
        moments = [a.ended_at or a.started_at or delivery.created_at for a in delivery.attempts]
        last_change = min(max(moments, default=delivery.created_at), self.now)
        return {
            "case_id": case_id,
            "party_id": party_id,
            "status": delivery.status,
            "deadline": delivery.deadline,
            "agent_group": delivery.agent_group,
            "assignee_user_id": self.users.get(delivery.assignee or ""),
            "served_method": served.method if served else None,
            "served_at": served.ended_at if served else None,
            "legal_service_date": served.legal_service_date if served else None,
            "created_at": delivery.created_at,
            "updated_at": max(last_change, delivery.created_at) + timedelta(seconds=1),
        }

    def _deliveries(
        self,
        plans: list[CasePlan],
        case_ids: list[int],
        party_ids: list[list[int]],
        document_ids: list[list[int]],
    ) -> list[list[int]]:
        rows = [
            self._delivery_row(delivery, case_id, parties[delivery.party])
            for plan, case_id, parties in zip(plans, case_ids, party_ids, strict=True)
            for delivery in plan.deliveries
        ]
        flat = iter(self._insert(Delivery, rows))
        ids = [[next(flat) for _ in plan.deliveries] for plan in plans]
        links = [
            {"delivery_id": delivery_id, "document_id": documents[index]}
            for plan, delivery_ids, documents in zip(plans, ids, document_ids, strict=True)
            for delivery, delivery_id in zip(plan.deliveries, delivery_ids, strict=True)
            for index in delivery.documents
        ]
        self.db_session.execute(insert(delivery_document), links)
        return ids

    def _attempt_row(self, attempt: AttemptPlan, delivery_id: int, contacts: list[int]) -> dict[str, Any]:
        return {
            "delivery_id": delivery_id,
            "method": attempt.method,
            "status": attempt.status,
            "outcome": attempt.outcome,
            "performed_by_user_id": self.users.get(attempt.performer),
            "contact_point_id": None if attempt.contact is None else contacts[attempt.contact],
            "planned_at": attempt.planned_at,
            "started_at": attempt.started_at,
            "ended_at": attempt.ended_at,
            "legal_service_date": attempt.legal_service_date,
            "created_at": min(attempt.planned_at or self.now, self.now - timedelta(minutes=30)),
        }

    def _attempts(
        self, plans: list[CasePlan], delivery_ids: list[list[int]], contact_ids: list[list[list[int]]]
    ) -> list[int]:
        rows = [
            self._attempt_row(attempt, delivery_id, contacts[delivery.party])
            for plan, deliveries, contacts in zip(plans, delivery_ids, contact_ids, strict=True)
            for delivery, delivery_id in zip(plan.deliveries, deliveries, strict=True)
            for attempt in delivery.attempts
        ]
        return self._insert(DeliveryAttempt, rows)


def _attempts_by_case(plans: list[CasePlan], case_ids: list[int]) -> Iterator[tuple[int, AttemptPlan]]:
    """Every planned attempt with its case id, in the order the attempts are inserted."""
    for plan, case_id in zip(plans, case_ids, strict=True):
        for delivery in plan.deliveries:
            for attempt in delivery.attempts:
                yield case_id, attempt


def _courtroom(plan: CasePlan) -> str | None:
    """The hearing's room by case number, not drawn from the seeded sequence (the rest stays the same)."""
    return COURTROOMS[sum(map(ord, plan.case_number)) % len(COURTROOMS)] if plan.hearing_at else None
