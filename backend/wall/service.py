"""The wall's snapshot: every queue, agent and live call, and today's figures."""

from typing import Any

from sqlalchemy.orm import Session

from backend.database import utcnow
from backend.desk import figures, snapshots
from backend.desk.live_calls import LiveCallBoard, live_records


def live_calls(*, db_session: Session, board: LiveCallBoard | None) -> list[dict[str, Any]]:
    rows = live_records(db_session=db_session, now=utcnow())
    return board.merged_with(rows) if board is not None else rows


def wall_snapshot(*, db_session: Session, board: LiveCallBoard | None) -> dict[str, Any]:
    return {
        "queues": snapshots.queue_snapshot(db_session)["groups"],
        "agents": snapshots.agents_snapshot(db_session),
        "calls": live_calls(db_session=db_session, board=board),
        "figures": figures.today_figures(db_session=db_session),
        "generated_at": snapshots.iso(utcnow()),
    }
