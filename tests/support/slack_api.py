"""A local stand-in for Slack's Web API on loopback, recording every call.

The Slack adapter talks to it through the real slack_sdk client (base_url pointed here), as
bolt-python's own tests do with their mock server, so no test reaches slack.com. Methods
answer like Slack: chat.postMessage gives a ts, files_upload_v2's three steps work (the
upload URL points back here), auth.test names the bot.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = "UBOT"


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog is 5: a burst of connections (the service answering
    # 50 events at once) would see SYNs dropped and retried a second later.
    request_queue_size = 256
    daemon_threads = True


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None


class SlackAPI:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.uploads: list[bytes] = []
        self.socket_url: str | None = None  # where apps.connections.open sends Socket Mode
        self._lock = threading.Lock()
        self._ts = 1_700_000_000
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def __enter__(self) -> SlackAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The calls of `method` once there are `count` of them (the reply runs after the
        ack, so tests wait for it rather than sleep)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{method}: {len(self.of(method))} calls, wanted {count}; "
                             f"seen {[c.method for c in self.calls]}")

    def _next_ts(self) -> str:
        with self._lock:
            self._ts += 1
            return f"{self._ts}.000100"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1",
                    "user": "copilot", "team": "demo"}
        if method in ("chat.postMessage", "chat.update"):
            return {"ok": True, "channel": params.get("channel"),
                    "ts": params.get("ts") or self._next_ts(), "message": {}}
        if method == "apps.connections.open" and self.socket_url:
            return {"ok": True, "url": self.socket_url}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "files.getUploadURLExternal":
            port = self._server.server_address[1]
            return {"ok": True, "upload_url": f"http://127.0.0.1:{port}/upload/F1",
                    "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "chart"}]}
        return {"ok": False, "error": "unknown_method"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/upload/"):
                    with api._lock:
                        api.uploads.append(raw)
                    self._send(200, b"OK - 1", "text/plain")
                    return
                method, _, query = self.path.removeprefix("/api/").partition("?")
                kind = self.headers.get("Content-Type", "")
                params = {k: v[0] for k, v in parse_qs(query).items()}
                if kind.startswith("application/json"):
                    params.update(json.loads(raw or b"{}"))
                else:
                    params.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
                for key in ("blocks", "files"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                auth = self.headers.get("Authorization", "")
                with api._lock:
                    api.calls.append(Call(method, params, auth.removeprefix("Bearer ") or None))
                body = json.dumps(api._answer(method, params)).encode()
                self._send(200, body, "application/json")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def slack_api() -> Iterator[SlackAPI]:
    with SlackAPI() as api:
        yield api
