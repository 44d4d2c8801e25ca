"""Agent turns in worker processes, so the service's event loop only does I/O.

Python runs one thread at a time, and an agent turn is tens of milliseconds of Python (the
graph, the offline model, the tools). In the service process those turns would hold up
what must be fast: Slack's 3 s acknowledgement, WeCom's 5 s, health checks. A pool of
`python -m copilot.agent.worker` processes runs the turns instead, on every core. A thread
always goes to the same worker, so its turns stay in order there; workers sharing memory
in PostgreSQL also take the thread's advisory lock. A worker that dies fails the turns it
had, and the next turn for it starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import sys
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from copilot.agent.locks import lock_id
from copilot.agent.memory import thread_key
from copilot.agent.turn import TurnResult
from copilot.config import Settings
from copilot.errors import UserError

log = logging.getLogger(__name__)
START_S = 120.0


class WorkerFailed(RuntimeError):
    pass


class _Worker:
    def __init__(self, settings: Settings, slot: int) -> None:
        self.settings, self.slot = settings, slot
        self.proc: asyncio.subprocess.Process | None = None
        # A turn may call the model several times; past this something is stuck.
        self.turn_limit_s = max(120.0, settings.llm_timeout_s * 6)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None and (
            self._reader is not None and not self._reader.done())

    async def ensure(self) -> None:
        async with self._starting:
            if not self.alive:
                await self._start()

    async def _start(self) -> None:
        # Its own session: Ctrl-C (or a signal to the service's process group) stops the
        # service, which then closes the workers' stdin so they finish their turns first.
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "copilot.agent.worker", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, limit=16 * 1024 * 1024, start_new_session=True)
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(self.settings.model_dump_json().encode() + b"\n")
        await self.proc.stdin.drain()
        ready = await asyncio.wait_for(self.proc.stdout.readline(), START_S)
        if not ready or "ready" not in json.loads(ready):
            raise WorkerFailed(f"agent worker {self.slot} did not start")
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        """Hand each answer to its caller; when the worker ends (or says something that
        cannot be read), every turn still waiting on it fails rather than waits forever."""
        assert self.proc and self.proc.stdout
        try:
            while line := await self.proc.stdout.readline():
                msg = json.loads(line)
                future = self.pending.pop(msg["id"], None)
                if future is not None and not future.done():
                    future.set_result(msg)
        except (ValueError, KeyError, asyncio.LimitOverrunError) as exc:
            log.error("agent worker %s sent something unreadable: %s", self.slot, exc)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
            code = await self.proc.wait()
            if self.pending:
                log.error("agent worker %s exited with %s", self.slot, code)
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(
                        WorkerFailed(f"agent worker {self.slot} stopped ({code})"))
            self.pending.clear()

    async def call(self, req: dict[str, Any]) -> dict[str, Any]:
        await self.ensure()
        assert self.proc and self.proc.stdin
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[req["id"]] = future
        try:
            self.proc.stdin.write(json.dumps(req, ensure_ascii=False).encode() + b"\n")
            await self.proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.pending.pop(req["id"], None)
            raise WorkerFailed(f"agent worker {self.slot} stopped") from exc
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.turn_limit_s)
        except TimeoutError:
            self.pending.pop(req["id"], None)
            raise WorkerFailed(f"agent worker {self.slot} did not answer within "
                               f"{self.turn_limit_s:.0f} s") from None

    async def close(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        assert self.proc.stdin
        self.proc.stdin.close()  # the worker finishes what it has and exits
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        if self._reader:
            await self._reader


class AgentPool:
    """`turn()` as `Copilot.turn`, answered by one of `processes` worker processes."""

    def __init__(self, settings: Settings, processes: int) -> None:
        self.workers = [_Worker(settings, i) for i in range(max(1, processes))]
        self.today = settings.today  # the stores' day, decided here like Copilot's
        self._ids = itertools.count(1)

    async def start(self) -> None:
        await asyncio.gather(*(w.ensure() for w in self.workers))

    async def turn(self, message: str, *, staff_id: str, thread: str, channel: str = "cli",
                   direct: bool = False, today: date | None = None,
                   answers: str | None = None) -> TurnResult:
        key = thread_key(channel, thread, direct, staff_id.strip().upper())
        worker = self.workers[lock_id(key) % len(self.workers)]
        msg = await worker.call({"id": next(self._ids), "message": message,
                                 "staff_id": staff_id, "thread": thread, "channel": channel,
                                 "direct": direct, "answers": answers,
                                 "today": (today or self.today()).isoformat()})
        if "error" in msg:
            err = UserError(msg["error"]["zh"], msg["error"]["en"])
            err.status = msg["error"]["status"]  # type: ignore[attr-defined]
            raise err
        if "failed" in msg:
            raise WorkerFailed(msg["failed"])
        return TurnResult.model_validate(msg["result"])

    async def close(self) -> None:
        await asyncio.gather(*(w.close() for w in self.workers))


@contextlib.asynccontextmanager
async def agent_pool(settings: Settings, processes: int) -> AsyncIterator[AgentPool]:
    pool = AgentPool(settings, processes)
    try:
        await pool.start()
        yield pool
    finally:
        await pool.close()
