"""start_eagerly runs a coroutine in the caller until it waits, and a task goes on from there."""

import asyncio

import pytest

from agent_desk.eager import start_eagerly


async def _no_wait(steps: list[str]) -> str:
    steps.append("ran")
    return "done"


async def _waits_on(gate: asyncio.Event, steps: list[str]) -> str:
    steps.append("before")
    try:
        await gate.wait()
    except asyncio.CancelledError:
        steps.append("cancelled")
        raise
    steps.append("after")
    return "done"


async def _fails() -> None:
    raise ConnectionResetError("gone")


def test_a_coroutine_that_never_waits_runs_in_the_caller() -> None:
    async def scenario() -> None:
        steps: list[str] = []
        assert start_eagerly(_no_wait(steps)) is None
        assert steps == ["ran"]  # before the caller went on

    asyncio.run(scenario())


def test_a_failure_before_any_wait_is_raised_in_the_caller() -> None:
    async def scenario() -> None:
        with pytest.raises(ConnectionResetError):
            start_eagerly(_fails())

    asyncio.run(scenario())


def test_a_coroutine_that_waits_goes_on_in_a_task_with_its_result() -> None:
    async def scenario() -> None:
        steps: list[str] = []
        gate = asyncio.Event()
        task = start_eagerly(_waits_on(gate, steps))
        assert task is not None and steps == ["before"]
        await asyncio.sleep(0)
        assert not task.done()
        gate.set()
        assert await task == "done"
        assert steps == ["before", "after"]

    asyncio.run(scenario())


@pytest.mark.parametrize("task_steps_first", [False, True])
def test_cancelling_the_task_cancels_the_waiting_coroutine(task_steps_first: bool) -> None:
    async def scenario() -> None:
        steps: list[str] = []
        task = start_eagerly(_waits_on(asyncio.Event(), steps))
        assert task is not None
        if task_steps_first:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert steps == ["before", "cancelled"]

    asyncio.run(scenario())
