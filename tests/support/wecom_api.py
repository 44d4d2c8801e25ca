"""A real HTTP server on loopback that answers like the WeCom server API (qyapi.weixin.qq.com).

The WeCom channel is tested through its real HTTP client against this instead of mocks:
the token has to be fetched with the right corp id and secret and sent on every call, a
token the server did not issue (or has expired) is refused with WeCom's errcodes, markdown
over WeCom's size limits is refused, uploads are parsed as multipart like the real API does.
Every request is recorded. Customer mass-sends (externalcontact/*) are in `.groupmsg`.

    with WeComServer() as wecom:
        settings = settings.model_copy(update={"wecom_api_url": wecom.url, ...})
        wecom.expire_token()  # the next API call answers 42001, as an expired token does
        wecom.faults.fail_next("externalcontact/add_msg_template", -1)  # system busy, once
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import itertools
import json
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support import wecom_groupmsg
from tests.support.faults import Faults

JSON = dict[str, Any]
APP_MARKDOWN_LIMIT = 2048  # message/send markdown.content, bytes
ROBOT_MARKDOWN_LIMIT = 4096  # webhook/send markdown.content, bytes
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Call:
    """One request: path without the query, the query as a dict, the body parsed (JSON, an
    Upload for multipart, None otherwise), and the answer (its errcode, None for HTTP errors)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    reply: JSON
    errcode: int | None


class WeComServer:
    """Loopback server on an ephemeral port, speaking the few WeCom APIs the channel uses."""

    def __init__(self, corp_id: str = "wwcorp0001", secret: str = "app-secret",
                 webhook_key: str = "robot-key", expires_in: int = 7200) -> None:
        self.corp_id, self.secret, self.webhook_key = corp_id, secret, webhook_key
        self.expires_in = expires_in
        self.calls: list[Call] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._valid: set[str] = set()
        self._ids = itertools.count(1)
        self._expire_next = 0
        self._robot_failures: list[tuple[int, JSON]] = []  # (HTTP status, body), in order
        self.faults = Faults("/cgi-bin/", _err)  # errors and lost replies, per API
        self.groupmsg = wecom_groupmsg.GroupMsgBook()
        self._release = threading.Event()
        self._release.set()
        self._hold_limit = 15.0
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True, name="wecom-test-server")

    # -- what tests configure ----------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/cgi-bin/webhook/send?key={self.webhook_key}"

    def expire_token(self, times: int = 1) -> None:
        """The next `times` API calls (not gettoken) answer errcode 42001 and the token each
        carried stops working, as when WeCom's 7200 s run out between two messages."""
        with self._lock:
            self._expire_next = times

    def fail_robot(self, errcode: int, errmsg: str = "error", status: int = 200) -> None:
        """The next webhook/send answers this errcode (or this HTTP status)."""
        with self._lock:
            self._robot_failures.append((status, {"errcode": errcode, "errmsg": errmsg}))

    @contextlib.contextmanager
    def holding_sends(self, limit_s: float = 15.0) -> Iterator[None]:
        """message/send waits (up to `limit_s`) until the block ends: lets a test show that
        the callback was answered before any reply went out."""
        self._release.clear()
        self._hold_limit = limit_s
        try:
            yield
        finally:
            self._release.set()

    # -- what tests read ---------------------------------------------------------------
    def calls_to(self, endpoint: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path == f"/cgi-bin/{endpoint}"]

    @property
    def token_fetches(self) -> int:
        return len(self.calls_to("gettoken"))

    @property
    def sent(self) -> list[JSON]:
        """Messages message/send accepted (errcode 0), in order."""
        return [c.body for c in self.calls_to("message/send") if c.errcode == 0]

    @property
    def robot_posts(self) -> list[JSON]:
        return [c.body for c in self.calls_to("webhook/send") if c.errcode == 0]

    def wait_for(self, ready: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def __enter__(self) -> WeComServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- the API -------------------------------------------------------------------------
    def answer(self, method: str, path: str, query: dict[str, str], body: Any
               ) -> tuple[int, JSON]:
        if path == "/cgi-bin/gettoken" and method == "GET":
            return 200, self._gettoken(query)
        if path == "/cgi-bin/webhook/send" and method == "POST":
            return self._webhook(query, body)
        handlers: dict[str, Callable[[dict[str, str], Any], JSON]] = {
            "/cgi-bin/message/send": self._send, "/cgi-bin/media/upload": self._upload,
            **{f"/cgi-bin/{p}": (lambda q, b, p=p: self.groupmsg.answer(p, b))
               for p in wecom_groupmsg.PATHS}}
        if path not in handlers or method != "POST":
            return 404, {"errcode": 404, "errmsg": f"no such API: {method} {path}"}
        token = query.get("access_token", "")
        with self._lock:
            if self._expire_next:
                self._expire_next -= 1
                self._valid.discard(token)
                return 200, _err(42001, "access_token expired")
            if token not in self._valid:
                return 200, _err(40014, "invalid access_token")
        instead = self.faults.answer_instead(path)
        return 200, instead if instead is not None else handlers[path](query, body)

    def _gettoken(self, query: dict[str, str]) -> JSON:
        if query.get("corpid") != self.corp_id or query.get("corpsecret") != self.secret:
            return _err(40001, "invalid credential")
        token = f"token-{next(self._ids)}"
        with self._lock:
            self._valid.add(token)
        return {"errcode": 0, "errmsg": "ok", "access_token": token,
                "expires_in": self.expires_in}

    def _send(self, query: dict[str, str], body: Any) -> JSON:
        if not self._release.is_set():
            self._release.wait(self._hold_limit)
        if not isinstance(body, dict) or not body.get("touser") or \
                not isinstance(body.get("agentid"), int):
            return _err(40008, "invalid message: touser and an integer agentid required")
        kind = body.get("msgtype")
        if kind == "markdown":
            content = (body.get("markdown") or {}).get("content", "")
            if not content:
                return _err(41016, "markdown.content missing")
            if len(content.encode("utf-8")) > APP_MARKDOWN_LIMIT:
                return _err(40058, f"markdown.content exceed max length {APP_MARKDOWN_LIMIT}")
        elif kind == "image":
            if not str((body.get("image") or {}).get("media_id", "")).startswith("media-"):
                return _err(40007, "invalid media_id")
        elif kind != "text":
            return _err(40008, f"invalid message type {kind!r}")
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg-{id(body)}"}

    def _upload(self, query: dict[str, str], body: Any) -> JSON:
        if query.get("type") != "image":
            return _err(40004, "invalid media type")
        if not isinstance(body, Upload) or body.field != "media" or not body.filename:
            return _err(41005, "media data missing")
        if not body.data.startswith(IMAGE_MAGIC):
            return _err(40005, "invalid file type")
        return {"errcode": 0, "errmsg": "ok", "type": "image",
                "media_id": f"media-{next(self._ids)}", "created_at": str(int(time.time()))}

    def _webhook(self, query: dict[str, str], body: Any) -> tuple[int, JSON]:
        with self._lock:
            failure = self._robot_failures.pop(0) if self._robot_failures else None
        if failure is not None:
            return failure
        if query.get("key") != self.webhook_key:
            return 200, _err(93000, "invalid webhook url")
        if not isinstance(body, dict) or body.get("msgtype") != "markdown":
            return 200, _err(40008, "invalid message type")
        content = (body.get("markdown") or {}).get("content", "")
        if not content:
            return 200, _err(41016, "markdown.content missing")
        if len(content.encode("utf-8")) > ROBOT_MARKDOWN_LIMIT:
            return 200, _err(40058, f"markdown.content exceed max length "
                                    f"{ROBOT_MARKDOWN_LIMIT}")
        return 200, {"errcode": 0, "errmsg": "ok"}


def _err(code: int, message: str) -> JSON:
    return {"errcode": code, "errmsg": f"{message}, hint: [test], more info at "
                                       f"https://open.work.weixin.qq.com/devtool/query?e={code}"}


def _parse(content_type: str, raw: bytes) -> Any:
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        for part in message.iter_parts():
            return Upload(str(part.get_param("name", header="content-disposition") or ""),
                          part.get_filename() or "", part.get_content_type(),
                          part.get_payload(decode=True) or b"")
        return None
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # socketserver's 5 would drop a burst's connections

    def __init__(self, owner: WeComServer) -> None:
        super().__init__(("127.0.0.1", 0), _handler_for(owner))
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            self.owner.errors.append(traceback.format_exc())


def _handler_for(server: WeComServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._handle()

        do_POST = do_GET

        def _handle(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            body = _parse(self.headers.get("Content-Type", ""), raw)
            try:
                status, payload = server.answer(self.command, parts.path, query, body)
            except Exception:
                server.errors.append(traceback.format_exc())
                status, payload = 500, {"errcode": -1, "errmsg": "mock server error"}
            with server._lock:
                server.calls.append(Call(self.command, parts.path, query, body, payload,
                                         payload.get("errcode") if status == 200 else None))
            if server.faults.drop_reply(parts.path):
                self.close_connection = True  # done, but the caller never hears of it
                return
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
