"""Conversation memory survives the process: SQLite by default, PostgreSQL at scale."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import create_engine, text

from copilot.agent.memory import open_memory, thread_key
from copilot.agent.service import Copilot
from copilot.config import Settings
from copilot.errors import UserError
from tests.agent.conftest import converse


def _two_processes(settings: Settings) -> tuple[dict, dict]:
    """A question, then (with a new Copilot, as a new process would) a follow-up."""
    [first] = converse(settings, [("E03", "朝阳店上个月复购率多少")], thread="keep")
    [again] = converse(settings, [("E03", "那区域平均呢?")], thread="keep")
    return first.tool_calls[0].args, again.tool_calls[0].args


def test_sqlite_memory_carries_a_thread_across_copilots(settings: Settings,
                                                         chain_store) -> None:
    first, again = _two_processes(settings)
    assert again["store"] == first["store"] == "S001" and again["compare"] == ["region"]
    assert (settings.data_dir / "memory.db").is_file()


@pytest.mark.postgres
def test_postgres_memory_carries_a_thread_across_copilots(settings: Settings, chain_store,
                                                           pg_url: str) -> None:
    cfg = settings.model_copy(update={"memory_url": pg_url})
    first, again = _two_processes(cfg)
    assert again["store"] == first["store"] == "S001" and again["compare"] == ["region"]
    engine = create_engine(pg_url)
    with engine.connect() as conn:  # the checkpoints really are in PostgreSQL
        threads = conn.execute(text("SELECT DISTINCT thread_id FROM checkpoints")).scalars()
        assert thread_key("test", "keep") in set(threads)
    engine.dispose()
    assert not (settings.data_dir / "memory.db").exists()


def test_a_pending_confirmation_survives_a_restart(settings: Settings, chain_store) -> None:
    converse(settings, [("E03", "朝阳店 金卡 存成 金卡组"), ("E03", "删除分组 金卡组")],
             thread="p")
    [done] = converse(settings, [("E03", "确认")], thread="p")
    assert [c.name for c in done.tool_calls] == ["delete_segment"] and done.tool_calls[0].ok


def test_an_unreachable_memory_database_is_a_clear_error(settings: Settings,
                                                         chain_store) -> None:
    cfg = settings.model_copy(update={
        "memory_url": "postgresql://nobody@127.0.0.1:1/nowhere?connect_timeout=2"})

    async def run() -> None:
        async with Copilot.open(cfg):
            pass

    with pytest.raises(UserError) as err:
        asyncio.run(run())
    assert "COPILOT_MEMORY_URL" in err.value.zh


def test_threads_are_keyed_by_channel_and_thread() -> None:
    assert thread_key("slack", "C1:1700.1") != thread_key("wecom", "C1:1700.1")


def test_memory_opens_sqlite_under_the_data_dir(settings: Settings) -> None:
    async def run() -> str:
        async with open_memory(settings) as saver:
            return type(saver).__name__

    assert asyncio.run(run()) == "AsyncSqliteSaver"
    assert (settings.data_dir / "memory.db").is_file()
