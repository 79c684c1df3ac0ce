"""Reading an attempt's recorded facts and checking them against what its channel requires."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.deliveries.channels import RequiredFact, channel_for
from backend.deliveries.enums import AttemptOutcome
from backend.deliveries.models import AttemptFact, DeliveryAttempt


def recorded_facts(*, db_session: Session, attempt_id: int) -> dict[str, str]:
    """KEY -> value of every fact recorded for the attempt."""
    rows = db_session.execute(
        select(AttemptFact.key, AttemptFact.value).where(AttemptFact.attempt_id == attempt_id)
    )
    return {key: value for key, value in rows}


def fact_rows(*, db_session: Session, attempt_id: int) -> dict[str, AttemptFact]:
    query = select(AttemptFact).where(AttemptFact.attempt_id == attempt_id).order_by(AttemptFact.id)
    return {fact.key: fact for fact in db_session.scalars(query)}


def fact_sheet(
    *, db_session: Session, attempt: DeliveryAttempt, outcome: AttemptOutcome
) -> list[tuple[RequiredFact, AttemptFact | None]]:
    """Each fact OUTCOME requires, with the recorded row that satisfies it (None while missing)."""
    rows = fact_rows(db_session=db_session, attempt_id=attempt.id)
    sheet: list[tuple[RequiredFact, AttemptFact | None]] = []
    for fact in channel_for(attempt.method).required_facts(outcome):
        keys = [key for key in (fact.key, *fact.alternatives) if key in rows]
        present = [rows[key] for key in keys if fact.satisfied_by({key: rows[key].value})]
        sheet.append((fact, present[0] if present else None))
    return sheet
