"""A minimal, fast stand-in for the Slack Web API methods a campaign DM uses, for benchmarks.

    python -m evals.benchmarks.slack_mock    # prints its base URL, serves until killed

tests/support/slack_api.py is the faithful mock (history, metadata, failures) but starts
a thread and a connection per request; this one is a single asyncio loop with keep-alive
connections, so a benchmark measures the dispatcher, not the mock. It answers
conversations.open and chat.postMessage, and bench.count with the posts so far.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

_posts = 0


def answer(method: str) -> dict[str, Any]:
    global _posts
    if method == "conversations.open":
        return {"ok": True, "channel": {"id": "DBENCH"}}
    if method == "chat.postMessage":
        _posts += 1
        return {"ok": True, "channel": "DBENCH", "ts": f"{1_800_000_000 + _posts}.000100"}
    if method == "bench.count":
        return {"ok": True, "posts": _posts}
    return {"ok": False, "error": "unknown_method"}


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            length = next((int(v) for k, _, v in (h.partition(":") for h in lines[1:])
                           if k.strip().lower() == "content-length"), 0)
            if length:
                await reader.readexactly(length)
            method = lines[0].split(" ")[1].rsplit("/", 1)[-1].partition("?")[0]
            body = json.dumps(answer(method)).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}/api/", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
