"""After-commit signals: an earlier domain announces what happened, later domains react in the background.

A signal is a frozen dataclass of ids. `announce` queues every listener's task once the announcing
transaction commits (dropped on rollback), so a reaction never sees uncommitted data and a refused request
sets nothing in motion. Listeners are task names (backend.taskqueue), registered by the reacting domain
when backend.wiring imports it; each task takes the signal's fields as keyword arguments.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from backend import taskqueue


@dataclass(frozen=True, slots=True)
class Signal:
    """Base of every signal type."""


_LISTENERS: defaultdict[type[Signal], list[str]] = defaultdict(list)


def listen(signal_type: type[Signal], task_name: str) -> None:
    """Run TASK_NAME(**fields) after every committed announcement of SIGNAL_TYPE."""
    taskqueue.resolve(task_name)  # a wrong name fails at start-up, not on the first announcement
    if task_name not in _LISTENERS[signal_type]:
        _LISTENERS[signal_type].append(task_name)


def announce(db_session: Session, signal: Signal) -> None:
    """Queue the listeners of SIGNAL for when DB_SESSION commits."""
    for task_name in _LISTENERS[type(signal)]:
        taskqueue.enqueue_after_commit(db_session, task_name, **asdict(signal))


def listeners(signal_type: type[Signal]) -> list[str]:
    return list(_LISTENERS[signal_type])
