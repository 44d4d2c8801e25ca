"""A real HTTP server on loopback that speaks OpenAI's chat-completions protocol.

The openai provider is tested through its real stack (langchain-openai, the openai SDK, its
HTTP client, SSE parsing, retries) instead of mocks, so protocol drift shows up here first.
Replies are scripted (or computed by a responder); every request is recorded.

    with OpenAIServer() as server:
        server.script(Reply.text("你好"), Reply.tool_calls([("member_metrics", {"store": "S1"})]))
        model = ChatOpenAI(base_url=server.url, ...)
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JSON = dict[str, Any]

# OpenAI's error bodies for the statuses tests provoke: status -> (type, code, message).
_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Bad request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    404: ("invalid_request_error", "unknown_url", "Not found."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests."),
    500: ("server_error", None, "The server had an error while processing your request."),
}


def error_body(status: int, message: str | None = None, code: str | None = None) -> JSON:
    """An OpenAI-style `{"error": {...}}`, which the SDK turns into its exception classes."""
    kind, default_code, default_message = _ERRORS.get(status, ("api_error", None, "Error."))
    return {"error": {"message": message or default_message, "type": kind, "param": None,
                      "code": code or default_code}}


@dataclass(frozen=True)
class Reply:
    """One scripted answer: text, tool calls as (name, args), or both; or an HTTP error."""

    content: str | None = None
    calls: tuple[tuple[str, JSON], ...] = ()
    delay_s: float = 0.0  # before answering: lets a test run into the client's timeout
    status: int = 200
    error: JSON | None = None  # the body sent with a status >= 400
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. retry-after-ms

    @classmethod
    def text(cls, content: str, *, delay_s: float = 0.0) -> Reply:
        return cls(content=content, delay_s=delay_s)

    @classmethod
    def tool_calls(cls, calls: Sequence[tuple[str, JSON]], *, text: str | None = None,
                   delay_s: float = 0.0) -> Reply:
        return cls(content=text, calls=tuple(calls), delay_s=delay_s)

    @classmethod
    def http_error(cls, status: int, message: str | None = None, *, code: str | None = None,
                   headers: Mapping[str, str] | None = None, delay_s: float = 0.0) -> Reply:
        return cls(status=status, error=error_body(status, message, code),
                   headers=dict(headers or {}), delay_s=delay_s)


@dataclass(frozen=True)
class Request:
    """What the client sent; header names lower-cased, body parsed (None if not JSON)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


Responder = Callable[[JSON], Reply]


class OpenAIServer:
    """Loopback server on an ephemeral port; queued script first, then the responder.

    `errors` collects tracebacks raised inside the server (a failing responder, say), which
    would otherwise vanish in a background thread.
    """

    def __init__(self, responder: Responder | None = None,
                 models: Sequence[str] = ("test-model",)) -> None:
        self.responder = responder
        self.models = tuple(models)
        self.requests: list[Request] = []
        self.errors: list[str] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._ids = 0
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True, name="openai-test-server")

    @property
    def url(self) -> str:
        """The base URL to configure a client with; ends in /v1 like api.openai.com's."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path == "/v1/chat/completions"]

    def script(self, *replies: Reply) -> OpenAIServer:
        with self._lock:
            self._script.extend(replies)
        return self

    def __enter__(self) -> OpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()  # wakes handlers sleeping on a delay
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_reply(self, body: JSON) -> tuple[str, Reply]:
        with self._lock:
            self._ids += 1
            cid = f"chatcmpl-{self._ids}"
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            return cid, scripted
        if self.responder is None:  # 400 is not retried: the test fails at once, saying why
            return cid, Reply.http_error(400, "OpenAIServer: no scripted reply left")
        try:
            return cid, self.responder(body)
        except Exception as exc:
            self.errors.append(traceback.format_exc())
            return cid, Reply.http_error(400, f"OpenAIServer: responder raised {exc!r}")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: OpenAIServer) -> None:
        super().__init__(("127.0.0.1", 0), _handler_for(owner))
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client dropping a keep-alive connection is normal; anything else is kept."""
        if not isinstance(sys.exc_info()[1], ConnectionError):  # resets, broken pipes
            self.owner.errors.append(traceback.format_exc())


def _usage(body: JSON, reply: Reply) -> JSON:
    """Deterministic token counts (about four characters a token), for usage assertions."""
    prompt = max(1, len(json.dumps(body.get("messages", []), ensure_ascii=False)) // 4)
    out = (reply.content or "") + "".join(json.dumps(a) for _, a in reply.calls)
    completion = max(1, len(out) // 4)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def _pieces(text: str, parts: int = 4) -> list[str]:
    """Split so that a stream carries several deltas, as real servers send them."""
    size = max(1, -(-len(text) // parts))
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def _call_id(cid: str, index: int) -> str:
    return f"call_{cid.removeprefix('chatcmpl-')}_{index}"


def _completion(cid: str, body: JSON, reply: Reply) -> JSON:
    message: JSON = {"role": "assistant", "content": reply.content, "refusal": None}
    if reply.calls:
        message["tool_calls"] = [
            {"id": _call_id(cid, i), "type": "function",
             "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}}
            for i, (name, args) in enumerate(reply.calls)]
    return {"id": cid, "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", ""), "system_fingerprint": None,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if reply.calls else "stop"}],
            "usage": _usage(body, reply)}


def _chunks(cid: str, body: JSON, reply: Reply) -> Iterator[JSON]:
    """chat.completion.chunk objects in OpenAI's order; usage last, only when asked for."""
    with_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    base = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
            "model": body.get("model", ""), "system_fingerprint": None}

    def chunk(delta: JSON, finish: str | None = None) -> JSON:
        out = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                    "finish_reason": finish}]}
        return {**out, "usage": None} if with_usage else out

    yield chunk({"role": "assistant", "content": "", "refusal": None})
    for piece in _pieces(reply.content) if reply.content else []:
        yield chunk({"content": piece})
    for i, (name, args) in enumerate(reply.calls):
        yield chunk({"tool_calls": [{"index": i, "id": _call_id(cid, i), "type": "function",
                                     "function": {"name": name, "arguments": ""}}]})
        for piece in _pieces(json.dumps(args, ensure_ascii=False)):
            yield chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
    yield chunk({}, "tool_calls" if reply.calls else "stop")
    if with_usage:
        yield {**base, "choices": [], "usage": _usage(body, reply)}


def _handler_for(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive and chunked SSE, as the real API does

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            self._handle()

        do_POST = do_GET

        def _handle(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            headers = {k.lower(): v for k, v in self.headers.items()}
            with server._lock:
                server.requests.append(Request(self.command, self.path, headers, body))
            path = self.path.split("?")[0].rstrip("/")
            if self.command == "GET" and path == "/v1/models":
                data = [{"id": m, "object": "model", "created": 0, "owned_by": "test"}
                        for m in server.models]
                return self._json(200, {"object": "list", "data": data})
            if self.command != "POST" or path != "/v1/chat/completions":
                return self._json(404, error_body(404, f"Invalid URL ({self.command} {path})"))
            if not isinstance(body, dict):
                return self._json(400, error_body(400, "We could not parse the JSON body."))
            cid, reply = server._next_reply(body)
            if reply.delay_s and server._closing.wait(reply.delay_s):
                self.close_connection = True  # shutting down: answer nothing
                return
            if reply.status >= 400:
                return self._json(reply.status, reply.error or error_body(reply.status),
                                  reply.headers)
            if not body.get("stream"):
                return self._json(200, _completion(cid, body, reply), reply.headers)
            self._head(200, "text/event-stream; charset=utf-8",
                       {**reply.headers, "Transfer-Encoding": "chunked",
                        "Cache-Control": "no-cache"})
            for data in [*(json.dumps(c, ensure_ascii=False) for c in _chunks(cid, body, reply)),
                         "[DONE]"]:
                self._write_chunk(f"data: {data}\n\n".encode())
            self._write_chunk(b"")  # the zero-length chunk ends the body

        def _head(self, status: int, content_type: str, headers: Mapping[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()

        def _write_chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _json(self, status: int, payload: JSON,
                  headers: Mapping[str, str] | None = None) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self._head(status, "application/json",
                       {**(headers or {}), "Content-Length": str(len(data))})
            self.wfile.write(data)

    return Handler
