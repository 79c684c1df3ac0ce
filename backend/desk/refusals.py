"""Why the desk offers an agent no task: the reason, named by a code and told in Chinese with what to do,
instead of one "nothing to do" for an empty queue, a queue of other groups and a queue all in hand."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.clock import BEIJING
from backend.deliveries.models import Delivery
from backend.desk import queue
from backend.desk.enums import PRESENCE_LABELS, PresenceState
from backend.desk.locks import NoTaskWaiting
from backend.desk.models import Callback
from backend.desk.presence import PresenceRefused

COUNT_LIMIT = 1000  # the refusal says "more than 1000" past this: counting further would only cost


def not_available(state: PresenceState) -> PresenceRefused:
    """An agent who is not 空闲 asks for a task."""
    return PresenceRefused(
        f"您当前为「{PRESENCE_LABELS[state]}」状态，不能领取任务：请先设为空闲（状态栏的「空闲」按钮），再领取任务",
        code="not_available",
    )


def _count(db_session: Session, *conditions: object) -> int:
    limited = select(Delivery.id).where(*conditions).limit(COUNT_LIMIT + 1).subquery()  # type: ignore[arg-type]
    return db_session.scalar(select(func.count()).select_from(limited)) or 0


def _many(count: int) -> str:
    return f"{COUNT_LIMIT} 多" if count > COUNT_LIMIT else str(count)


def no_task(*, db_session: Session, agent: User, now: datetime) -> NoTaskWaiting:
    """The reason nothing waits for AGENT at NOW, with what to do about it."""
    queued = Delivery.status.in_(queue.QUEUED_STATUSES)
    scope = queue.agent_scope(agent)
    elsewhere = _count(db_session, *queue.waiting_conditions(now))
    if elsewhere:
        group = f"「{agent.agent_group}」组" if agent.agent_group else "公共队列（未设坐席组）"
        return NoTaskWaiting(
            f"队列中有 {_many(elsewhere)} 个待办任务，但都不在您的范围内"
            f"（您属于{group}，或任务已分配给其他专员）：请联系主管在送达看板把任务分配给您，或调整您的坐席组",
            code="not_in_scope",
        )
    later = db_session.scalar(
        select(func.min(Callback.due_at))
        .join(Delivery, Delivery.id == Callback.delivery_id)
        .where(Callback.done_at.is_(None), Callback.due_at > now, queued, scope)
    )
    if later is not None:
        due = later.astimezone(BEIJING)
        return NoTaskWaiting(
            f"您的待办任务都已约定稍后回拨，最早一个在 {due:%m月%d日 %H:%M} 到期，届时再领取",
            code="callbacks_later",
        )
    taken = _count(db_session, queued, scope, queue.locked(now))
    if taken:
        return NoTaskWaiting(
            f"您范围内的 {_many(taken)} 个任务正由其他专员处理，请稍后再试", code="all_taken"
        )
    return NoTaskWaiting(
        "队列中暂无待呼叫的送达任务（没有可用电话号码、或已改用其他送达方式的任务不进入电话队列）",
        code="queue_empty",
    )
