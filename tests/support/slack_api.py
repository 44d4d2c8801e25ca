"""A local stand-in for Slack's Web API on loopback, recording every call.

The Slack adapter talks to it through the real slack_sdk client (base_url pointed here), as
bolt-python's own tests do with their mock server, so no test reaches slack.com. Methods
answer like Slack: chat.postMessage gives a ts and keeps the message (metadata included) in
its channel's history, conversations.open opens a DM ("D" + the user id),
conversations.history pages through a channel newest first (metadata only with
include_all_metadata), files_upload_v2's three steps work (the upload URL points back
here), auth.test names the bot. `fail(method, error)` makes the next call of a method
answer with that error (HTTP 429 for "ratelimited"), once per call.
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
        self.history: dict[str, list[dict[str, Any]]] = {}  # channel → messages, oldest first
        self._failures: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._ts = int(time.time())  # messages are recent, as history searches expect
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

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """The next `times` calls of `method` answer {"ok": false, "error": error}."""
        with self._lock:
            self._failures.setdefault(method, []).extend([error] * times)

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """Messages posted to `channel`, oldest first."""
        with self._lock:
            return list(self.history.get(channel, []))

    def _failure(self, method: str) -> str | None:
        with self._lock:
            queued = self._failures.get(method)
            return queued.pop(0) if queued else None

    def _post(self, params: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "message", "user": BOT_USER,
                                   "text": params.get("text", ""), "ts": self._next_ts()}
        if isinstance(params.get("metadata"), dict):
            message["metadata"] = params["metadata"]
        with self._lock:
            self.history.setdefault(str(params.get("channel")), []).append(message)
        return {"ok": True, "channel": params.get("channel"), "ts": message["ts"],
                "message": message}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first, `limit` a page, the cursor is the offset of the next page."""
        with_meta = str(params.get("include_all_metadata", "")).lower() in ("true", "1")
        oldest = float(params.get("oldest") or 0)
        with self._lock:
            found = [m for m in reversed(self.history.get(str(params.get("channel")), []))
                     if float(m["ts"]) > oldest]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
        page = [m if with_meta else {k: v for k, v in m.items() if k != "metadata"}
                for m in found[start:start + limit]]
        more = start + limit < len(found)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _next_ts(self) -> str:
        with self._lock:
            self._ts += 1
            return f"{self._ts}.000100"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1",
                    "user": "copilot", "team": "demo"}
        if method == "chat.postMessage":
            return self._post(params)
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"),
                    "ts": params.get("ts") or self._next_ts(), "message": {}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{params.get('users', '')}"}}
        if method == "conversations.history":
            return self._history(params)
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
                for key in ("blocks", "files", "metadata"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                auth = self.headers.get("Authorization", "")
                with api._lock:
                    api.calls.append(Call(method, params, auth.removeprefix("Bearer ") or None))
                error = api._failure(method)
                if error is not None:
                    body = json.dumps({"ok": False, "error": error}).encode()
                    self._send(429 if error == "ratelimited" else 200, body, "application/json")
                    return
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
