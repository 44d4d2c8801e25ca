"""An agent worker process: `python -m copilot.agent.worker`, started by `AgentPool`.

It reads the settings (one JSON line) and then turn requests (JSON lines) on stdin, answers
each on its own protocol pipe as soon as it is done (several turns run at once), and
exits when stdin closes. Anything a library prints goes to stderr, never into the answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import date
from typing import Any

from copilot.agent.service import Copilot
from copilot.config import Settings
from copilot.errors import UserError


async def _answer(copilot: Copilot, req: dict[str, Any]) -> dict[str, Any]:
    try:
        result = await copilot.turn(
            req["message"], staff_id=req["staff_id"], thread=req["thread"],
            channel=req["channel"], direct=req["direct"], today=date.fromisoformat(req["today"]),
            answers=req.get("answers"))
    except UserError as exc:
        return {"id": req["id"], "error": {"zh": exc.zh, "en": exc.en,
                                           "status": getattr(exc, "status", 400)}}
    except Exception as exc:  # reported to the service, which logs it and says sorry
        return {"id": req["id"], "failed": f"{type(exc).__name__}: {exc}"}
    return {"id": req["id"], "result": result.model_dump(mode="json")}


async def serve(proto: Any) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=16 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    settings = Settings(**json.loads(await reader.readline()))
    write_lock = asyncio.Lock()

    async def reply(payload: dict[str, Any]) -> None:
        line = (json.dumps(payload, ensure_ascii=False) + "\n").encode()
        async with write_lock:
            await asyncio.to_thread(_write, proto, line)

    async with Copilot.open(settings) as copilot:
        await reply({"ready": os.getpid()})
        running: set[asyncio.Task[None]] = set()
        while line := await reader.readline():
            req = json.loads(line)

            async def one(req: dict[str, Any] = req) -> None:
                await reply(await _answer(copilot, req))

            task = asyncio.ensure_future(one())
            running.add(task)
            task.add_done_callback(running.discard)
        if running:
            await asyncio.wait(running)


def _write(proto: Any, line: bytes) -> None:
    proto.write(line)
    proto.flush()


NICE = 5  # turns yield the CPU to the service process, whose acknowledgements have deadlines


def main() -> None:
    proto = os.fdopen(os.dup(1), "wb")  # the answers' pipe …
    os.dup2(2, 1)  # … and whatever else is printed goes to stderr
    os.nice(NICE)
    asyncio.run(serve(proto))


if __name__ == "__main__":
    main()
