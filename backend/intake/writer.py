"""The write phase: one transaction of set-based upserts, in dependency order."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from backend.deliveries import upkeep
from backend.intake.plan import ImportCounts, ImportPlan
from backend.intake.write_cases import ensure_court, upsert_cases, upsert_parties
from backend.intake.write_contacts import sync_contact_points
from backend.intake.write_deliveries import sync_deliveries, upsert_documents

WRITE_STEPS = ("案件", "当事人", "联系方式", "文书", "送达任务")
StepCallback = Callable[[str], None]


def write_plan(*, db_session: Session, plan: ImportPlan, on_step: StepCallback | None = None) -> ImportCounts:
    """Write PLAN in the caller's transaction; nothing is committed here."""
    step = on_step or (lambda _label: None)
    counts = ImportCounts(rows=len(plan.parties))
    court_id = ensure_court(db_session, plan)
    case_ids = upsert_cases(db_session, plan, court_id, counts)
    step(WRITE_STEPS[0])
    party_ids, known_party_ids = upsert_parties(db_session, plan, case_ids, counts)
    step(WRITE_STEPS[1])
    sync_contact_points(db_session, plan, party_ids, known_party_ids, counts)
    step(WRITE_STEPS[2])
    document_ids = upsert_documents(db_session, plan, case_ids, counts)
    step(WRITE_STEPS[3])
    sync_deliveries(db_session, plan, (case_ids, party_ids, document_ids), known_party_ids, counts)
    # Written with Core, so the deliveries' derived facts (call queue, tally, case workers) follow here.
    upkeep.refresh_cases(db_session.connection(), case_ids.values())
    step(WRITE_STEPS[4])
    return counts
