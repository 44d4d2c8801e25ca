"""One turn at a time per conversation thread, within a process and across processes.

Two messages in one thread answered at once would both read the same checkpoint and one
turn would be lost (or a confirmation answered twice). In one process an asyncio lock per
thread is enough; when conversation memory lives in PostgreSQL, several service workers
share threads, so the turn also holds a PostgreSQL advisory lock on the thread's key.
The server drops the lock if a worker dies, so a crash never leaves a thread stuck.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import weakref
from collections.abc import AsyncIterator
from typing import Any


def lock_id(key: str) -> int:
    """A stable signed 64-bit id for a thread key (what pg_advisory_lock takes)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big",
                          signed=True)


class ThreadLocks:
    """Per-process locks; `PostgresThreadLocks` adds the cross-process one."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary())

    @contextlib.asynccontextmanager
    async def hold(self, key: str, slot: asyncio.Semaphore | None = None
                   ) -> AsyncIterator[None]:
        """The thread's lock in this process, then a running `slot` if given, then the
        shared lock: a turn waiting for a slot holds no database connection."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock, (slot or contextlib.nullcontext()), self._shared(key):
            yield

    @contextlib.asynccontextmanager
    async def _shared(self, key: str) -> AsyncIterator[None]:
        yield

    async def close(self) -> None:
        return None


class PostgresThreadLocks(ThreadLocks):
    """Advisory locks on a small pool of connections (one per thread being answered in this
    process; the per-process lock comes first so a busy thread waits here, not on a
    connection)."""

    def __init__(self, url: str, max_size: int = 20) -> None:
        super().__init__()
        from psycopg_pool import AsyncConnectionPool

        self._pool: Any = AsyncConnectionPool(
            url.replace("postgresql+psycopg://", "postgresql://", 1), min_size=1,
            max_size=max_size, open=False, kwargs={"autocommit": True})

    async def open(self) -> None:
        await self._pool.open(wait=True, timeout=10)

    @contextlib.asynccontextmanager
    async def _shared(self, key: str) -> AsyncIterator[None]:
        async with self._pool.connection() as conn:
            await conn.execute("SELECT pg_advisory_lock(%s)", (lock_id(key),))
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (lock_id(key),))

    async def close(self) -> None:
        await self._pool.close()


@contextlib.asynccontextmanager
async def thread_locks(memory_url: str) -> AsyncIterator[ThreadLocks]:
    if not memory_url.startswith(("postgresql", "postgres://")):
        yield ThreadLocks()
        return
    locks = PostgresThreadLocks(memory_url)
    await locks.open()
    try:
        yield locks
    finally:
        await locks.close()
