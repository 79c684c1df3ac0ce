"""The in-process task pool binds Celery's tasks before its threads first call them."""

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import backend.wiring  # declares every task
    from backend import taskqueue
    from backend.proofs.tasks import generate_proof_task

    print("before", generate_proof_task.__evaluated__())
    taskqueue._pool()
    print("after", generate_proof_task.__evaluated__(), generate_proof_task.request_stack is not None)
    taskqueue.shutdown()
    """
)


def test_the_pool_binds_every_task_before_two_threads_race_to_it() -> None:
    """Celery binds a task on its first call, unlocked; two pool threads calling one task at once found it
    unbound. A fresh process shows the task lazy before the pool exists and bound once it does."""
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)

    assert probe.stdout.split("\n")[:2] == ["before False", "after True True"], probe.stderr
