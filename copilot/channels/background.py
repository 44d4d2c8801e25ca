"""Work that goes on after a platform has been answered (Slack's 3 s, WeCom's 5 s).

Tasks are kept on the app so they are not garbage-collected halfway, and the service
waits for them on shutdown instead of dropping a reply someone is waiting for.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI

log = logging.getLogger(__name__)
DRAIN_S = 30.0


def later(app: FastAPI, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    task = asyncio.ensure_future(work)
    app.state.background.add(task)
    task.add_done_callback(_finished(app))
    return task


def _finished(app: FastAPI) -> Callable[[asyncio.Task[Any]], None]:
    def done(task: asyncio.Task[Any]) -> None:
        app.state.background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background reply failed", exc_info=task.exception())
    return done


async def drain(app: FastAPI, timeout: float = DRAIN_S) -> None:
    """Let replies in flight finish (up to `timeout`) before the service stops."""
    pending = list(app.state.background)
    if pending:
        await asyncio.wait(pending, timeout=timeout)
