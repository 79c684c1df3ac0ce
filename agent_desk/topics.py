"""Snapshots of the websocket topics, built in a worker thread with their own database session."""

from typing import Any

from backend.audit import service as audit_service
from backend.auth.models import User
from backend.database import get_session, utcnow
from backend.desk import figures, snapshots
from backend.desk.live_calls import LiveCallBoard, live_records


class TopicSnapshots:
    def __init__(self, board: LiveCallBoard) -> None:
        self.board = board

    def build(self, topic: str, user_id: int | None) -> dict[str, Any]:
        with get_session() as db_session:
            if topic == "queue":
                return snapshots.queue_snapshot(db_session)
            if topic == "figures":
                return figures.today_figures(db_session=db_session)
            if topic == "agents":
                return {"agents": snapshots.agents_snapshot(db_session)}
            user = db_session.get(User, user_id) if user_id is not None else None
            if topic == "calls":
                calls = self.board.merged_with(live_records(db_session=db_session, now=utcnow()))
                audit_service.record(
                    db_session=db_session,
                    actor=user,
                    action="wall_calls_read",
                    object_type="call",
                    detail={"via": "websocket", "call_ids": [call["call_id"] for call in calls]},
                )
                return {"calls": calls}
            if topic != "me" or user is None:
                raise ValueError(f"unknown topic {topic}")
            me = snapshots.me_snapshot(db_session, user)
            rows = live_records(db_session=db_session, now=utcnow(), agent_user_id=user.id)
            calls = self.board.merged_with(rows, agent_user_id=user.id)
            return {**me, "current_task": me["task"], "calls": calls}
