"""Agent turns in worker processes: the same answers, threads kept together, failures
reported and recovered from."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from fastapi.testclient import TestClient

from copilot.agent.pool import AgentPool, WorkerFailed, agent_pool
from copilot.api import create_app
from copilot.config import Settings
from copilot.errors import UserError
from tests.agent.conftest import converse
from tests.tools import chain

LOCAL = ("127.0.0.1", 50000)


def test_a_worker_answers_as_the_service_would(settings: Settings, chain_store) -> None:
    async def run() -> tuple:
        async with agent_pool(settings, 2) as pool:
            first = await pool.turn("朝阳店上个月复购率", staff_id="E03", thread="p1",
                                    channel="t", today=chain.TODAY)
            again = await pool.turn("那区域平均呢?", staff_id="e03", thread="p1",
                                    channel="t", today=chain.TODAY)
            return first, again

    first, again = asyncio.run(run())
    [local] = converse(settings, [("E03", "朝阳店上个月复购率")], thread="p-local")
    assert first.answer == local.answer and first.tool_calls[0].ok
    assert first.tool_calls[0].result == local.tool_calls[0].result
    assert again.tool_calls[0].args["compare"] == ["region"]  # same worker, same memory


def test_user_errors_come_back_in_chinese(settings: Settings, chain_store) -> None:
    async def run() -> None:
        async with agent_pool(settings, 1) as pool:
            await pool.turn("你好", staff_id="E99", thread="p2", channel="t")

    with pytest.raises(UserError, match="找不到员工编号"):
        asyncio.run(run())


def test_many_threads_at_once_are_all_answered(settings: Settings, chain_store) -> None:
    async def run() -> list:
        async with agent_pool(settings, 2) as pool:
            return await asyncio.gather(*[
                pool.turn("朝阳店上个月客单价", staff_id="E05", thread=f"many-{i}",
                          channel="t", today=chain.TODAY) for i in range(12)])

    results = asyncio.run(run())
    assert len({r.answer for r in results}) == 1 and all(r.tool_calls[0].ok for r in results)


def test_a_killed_worker_fails_its_turn_and_is_replaced(settings: Settings,
                                                        chain_store) -> None:
    async def run() -> tuple[str, int, int, bool]:
        pool = AgentPool(settings, 1)
        await pool.start()
        try:
            worker = pool.workers[0]
            first_pid = worker.proc.pid  # type: ignore[union-attr]
            asking = asyncio.ensure_future(pool.turn(
                "诊断一下朝阳店上个月", staff_id="E03", thread="k", channel="t",
                today=chain.TODAY))
            while not worker.pending:
                await asyncio.sleep(0)
            os.kill(first_pid, signal.SIGKILL)  # dies with the turn in hand
            try:
                await asking
                failed = ""
            except WorkerFailed as exc:
                failed = str(exc)
            after = await pool.turn("朝阳店上个月复购率", staff_id="E03", thread="k",
                                    channel="t", today=chain.TODAY)
            return failed, first_pid, worker.proc.pid, after.tool_calls[0].ok  # type: ignore[union-attr]
        finally:
            await pool.close()

    failed, first_pid, new_pid, ok = asyncio.run(run())
    assert "agent worker 0 stopped" in failed
    assert new_pid != first_pid and ok  # a new worker answered the next turn


def test_the_service_answers_through_its_workers(settings: Settings, chain_store) -> None:
    with TestClient(create_app(settings, agent_processes=1), client=LOCAL) as client:
        pool = client.app.state.turns  # type: ignore[attr-defined]
        assert isinstance(pool, AgentPool) and pool.workers[0].alive
        # Its own session: Ctrl-C on the service does not kill a turn halfway.
        assert os.getsid(pool.workers[0].proc.pid) != os.getsid(0)
        body = client.post("/api/chat", json={"message": "朝阳店上个月复购率",
                                              "staff_id": "E03",
                                              "today": chain.TODAY.isoformat()}).json()
        assert body["tool_calls"][0]["name"] == "member_metrics"
        unknown = client.post("/api/chat", json={"message": "你好", "staff_id": "E99"})
        assert unknown.status_code == 400 and "找不到员工编号" in unknown.json()["error"]
