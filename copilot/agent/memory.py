"""Conversation memory: LangGraph checkpoints keyed by channel + thread.

SQLite under the data folder by default (one process, no server); PostgreSQL when
COPILOT_MEMORY_URL points at one, so several service workers share threads.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from langgraph.checkpoint.base import BaseCheckpointSaver

from copilot.config import Settings
from copilot.errors import UserError


def thread_key(channel: str, thread: str, direct: bool = False, staff: str = "") -> str:
    """One-to-one and group conversations never share a memory, and a one-to-one thread is
    its person's alone: what a member's owner saw unmasked must not reach a later group
    turn, another person, or an LLM answering them."""
    return f"{channel}:dm:{staff}:{thread}" if direct else f"{channel}:group:{thread}"


@contextlib.asynccontextmanager
async def open_memory(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    url = settings.memory_db_url
    if url.startswith(("postgresql", "postgres://")):
        async with _postgres(url) as saver:
            yield saver
        return
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # The service's agent workers share this file: a writer waits for another's commit
    # (up to 30 s) rather than failing with "database is locked"; setup() turns on WAL.
    async with aiosqlite.connect(url, timeout=30) as conn:
        saver = AsyncSqliteSaver(conn)
        await saver.setup()
        yield saver


@contextlib.asynccontextmanager
async def _postgres(url: str) -> AsyncIterator[BaseCheckpointSaver]:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg import OperationalError

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        async with AsyncPostgresSaver.from_conn_string(plain) as saver:
            await saver.setup()  # its own versioned, append-only migrations
            yield saver
    except OperationalError as exc:
        raise UserError(f"无法连接对话记忆数据库(COPILOT_MEMORY_URL):{exc}",
                        f"Cannot reach the memory database (COPILOT_MEMORY_URL): {exc}") from None
