"""One turn at a time per thread: in a process, and across workers sharing PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from copilot.agent.locks import PostgresThreadLocks, ThreadLocks, lock_id
from copilot.agent.memory import thread_key
from copilot.agent.service import Copilot
from copilot.config import Settings
from tests.tools import chain


def test_lock_ids_are_stable_64_bit_and_distinct() -> None:
    assert lock_id("slack:group:C1:1") == lock_id("slack:group:C1:1")
    assert lock_id("slack:group:C1:1") != lock_id("slack:group:C1:2")
    assert -(2**63) <= lock_id("x") < 2**63


def test_a_process_serialises_one_thread_but_not_two() -> None:
    async def run() -> list[str]:
        locks, order = ThreadLocks(), []

        async def turn(key: str, name: str, pause: float) -> None:
            async with locks.hold(key):
                order.append(f"{name}+")
                await asyncio.sleep(pause)
                order.append(f"{name}-")

        await asyncio.gather(turn("t", "a", 0.05), turn("t", "b", 0), turn("u", "c", 0))
        return order

    order = asyncio.run(run())
    assert order.index("a-") < order.index("b+")  # b waited for a in the same thread
    assert order.index("c+") < order.index("a-")  # another thread did not wait


@pytest.mark.postgres
def test_two_workers_take_turns_on_a_thread(pg_url: str) -> None:
    async def run() -> tuple[bool, bool, bool]:
        one, two = PostgresThreadLocks(pg_url), PostgresThreadLocks(pg_url)
        await one.open()
        await two.open()
        try:
            async with one.hold("shared-thread"):
                async def other() -> None:
                    async with two.hold("shared-thread"):
                        pass
                blocked = not await _done_within(other(), 0.3)
                async with two.hold("another-thread"):
                    free = True
            after = await _done_within(other(), 5)
            return blocked, free, after
        finally:
            await one.close()
            await two.close()

    blocked, free, after = asyncio.run(run())
    assert blocked and free and after


async def _done_within(work, seconds: float) -> bool:
    try:
        await asyncio.wait_for(work, seconds)
    except TimeoutError:
        return False
    return True


@pytest.mark.postgres
def test_concurrent_turns_from_two_workers_are_all_kept(settings: Settings, chain_store,
                                                        pg_url: str) -> None:
    cfg = settings.model_copy(update={"memory_url": pg_url})
    asks = ["朝阳店上个月复购率", "那区域平均呢?", "西单店呢", "朝阳店上个月客单价",
            "那上上个月呢", "朝阳店上个月流失率"]

    async def run() -> int:
        async with Copilot.open(cfg) as one, Copilot.open(cfg) as two:
            await asyncio.gather(*[
                (one if i % 2 else two).turn(q, staff_id="E05", thread="busy", channel="t",
                                             today=chain.TODAY)
                for i, q in enumerate(asks)])
            state = await one.graph.aget_state(
                {"configurable": {"thread_id": thread_key("t", "busy")}})
            return sum(1 for m in state.values["messages"] if m.type == "human")

    assert asyncio.run(run()) == len(asks)
