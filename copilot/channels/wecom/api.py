"""The few WeCom server APIs the channel calls: access token, send a message, upload an image.

Why not wechatpy's `WeChatClient` (its source, wechatpy 1.8.18, was read for this): it is
synchronous (requests), fetches the token from a hard-coded https://qyapi.weixin.qq.com URL
whatever API base is set, retries a token error by recursion with no limit (a secret that
keeps failing loops for ever), and re-sends an upload from a file object already read to
its end. This client is small instead: async httpx, the token cached until shortly before
it expires and shared by every message, one refresh and one retry when WeCom says the token
is invalid or expired, and upload bodies kept as bytes so a retry sends the same image.
The secret is used on first need only and never appears in a log or an error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from copilot.config import Settings
from copilot.errors import UserError

log = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid credential / token, token expired
MARKDOWN_LIMIT = 2048  # bytes of markdown.content in message/send (the robot allows 4096)
IMAGE_LIMIT = 10 * 1024 * 1024  # media/upload accepts images up to 10 MB
EARLY_S = 300  # renew this long before WeCom's expires_in runs out
TIMEOUT_S = 10.0


class WeComError(UserError):
    """WeCom refused or could not be reached: 502, the upstream's fault or its settings."""

    status = 502


class TokenCache:
    """The app's access token, shared by every reply so WeCom is asked once per ~2 hours.

    WeCom limits gettoken calls and invalidates nothing when a new token is issued, so
    fetching per message would work until the quota ran out; the lock keeps ten messages
    arriving together from fetching ten tokens.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.token: str | None = None
        self.expires_at = 0.0
        self.lock = asyncio.Lock()

    def current(self) -> str | None:
        return self.token if self.token and self.clock() < self.expires_at else None

    def keep(self, token: str, expires_in: int) -> None:
        self.token = token
        self.expires_at = self.clock() + max(expires_in - EARLY_S, expires_in / 2)

    def forget(self, token: str) -> None:
        """Drop `token` unless another call already replaced it (no double refresh)."""
        if self.token == token:
            self.token = None


class WeComAPI:
    """One app's API over an httpx client the caller owns (one per reply being sent)."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient, tokens: TokenCache) -> None:
        self.settings = settings
        self.http = http
        self.tokens = tokens
        self.base = settings.wecom_api_url.rstrip("/") + "/cgi-bin/"

    @property
    def agent_id(self) -> int:
        if self.settings.wecom_agent_id is None:
            raise WeComError("未配置 COPILOT_WECOM_AGENT_ID(企业微信应用的 AgentId),无法回复消息。",
                             "COPILOT_WECOM_AGENT_ID (the app's AgentId) is not set; "
                             "cannot reply.")
        return self.settings.wecom_agent_id

    async def send_markdown(self, user: str, content: str) -> dict[str, Any]:
        """One markdown message (≤ MARKDOWN_LIMIT bytes; split before calling)."""
        if len(content.encode("utf-8")) > MARKDOWN_LIMIT:
            raise ValueError(f"markdown over {MARKDOWN_LIMIT} bytes; split it first")
        return await self._send(user, "markdown", {"content": content})

    async def send_image(self, user: str, media_id: str) -> dict[str, Any]:
        return await self._send(user, "image", {"media_id": media_id})

    async def upload_image(self, path: Path) -> str:
        """A temporary media id for a PNG/JPG (valid 3 days), for `send_image`."""
        data = path.read_bytes()
        if len(data) > IMAGE_LIMIT:
            raise WeComError(f"图片 {path.name} 超过企业微信的 10 MB 上限。",
                             f"Image {path.name} is over WeCom's 10 MB limit.")
        kind = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
        body = await self.call("POST", "media/upload", params={"type": "image"},
                               files={"media": (path.name, data, kind)})
        return str(body["media_id"])

    async def _send(self, user: str, msgtype: str, part: dict[str, Any]) -> dict[str, Any]:
        body = await self.call("POST", "message/send", json={
            "touser": user, "msgtype": msgtype, "agentid": self.agent_id, msgtype: part})
        if body.get("invaliduser"):  # outside the app's visible range: WeCom drops it
            log.warning("WeCom did not deliver to %s (not in the app's visible range)", user)
        return body

    async def call(self, method: str, path: str, *, params: dict[str, str] | None = None,
                   json: dict[str, Any] | None = None,
                   files: dict[str, tuple[str, bytes, str]] | None = None) -> dict[str, Any]:
        """POST/GET `cgi-bin/<path>` with the token; on a token error refresh once, retry once."""
        for attempt in (1, 2):
            token = await self.token()
            body = await self._request(method, path, {**(params or {}), "access_token": token},
                                       json=json, files=files)
            code = int(body.get("errcode", 0) or 0)
            if code in TOKEN_ERRORS and attempt == 1:
                log.info("WeCom token refused (errcode %s); fetching a new one", code)
                self.tokens.forget(token)
                continue
            if code != 0:
                raise _refused(path, code, body.get("errmsg"))
            return body
        raise AssertionError("unreachable")  # pragma: no cover

    async def token(self) -> str:
        async with self.tokens.lock:
            cached = self.tokens.current()
            if cached:
                return cached
            corp, secret = self.settings.wecom_corp_id, self.settings.wecom_secret
            if not (corp and secret):
                raise WeComError("未配置 COPILOT_WECOM_SECRET(企业微信应用的 Secret),"
                                 "无法回复消息。",
                                 "COPILOT_WECOM_SECRET (the app's Secret) is not set; "
                                 "cannot reply.")
            body = await self._request("GET", "gettoken",
                                       {"corpid": corp, "corpsecret": secret})
            code = int(body.get("errcode", 0) or 0)
            if code != 0 or not body.get("access_token"):
                raise WeComError(
                    f"获取企业微信 access_token 失败(errcode {code}:{_short(body.get('errmsg'))})。"
                    "请检查 COPILOT_WECOM_CORP_ID 与 COPILOT_WECOM_SECRET。",
                    f"Could not get a WeCom access token (errcode {code}: "
                    f"{_short(body.get('errmsg'))}). Check COPILOT_WECOM_CORP_ID and "
                    "COPILOT_WECOM_SECRET.")
            self.tokens.keep(str(body["access_token"]), int(body.get("expires_in") or 7200))
            return str(body["access_token"])

    async def _request(self, method: str, path: str, params: dict[str, str], *,
                       json: dict[str, Any] | None = None,
                       files: dict[str, tuple[str, bytes, str]] | None = None
                       ) -> dict[str, Any]:
        # The URL carries the token or the secret: errors name the API, never the URL.
        try:
            resp = await self.http.request(method, self.base + path, params=params, json=json,
                                           files=files, timeout=TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise WeComError(f"连不上企业微信接口 {path}({type(exc).__name__})。",
                             f"Could not reach the WeCom API {path} "
                             f"({type(exc).__name__}).") from None
        if resp.status_code != 200:
            raise WeComError(f"企业微信接口 {path} 返回 HTTP {resp.status_code}。",
                             f"The WeCom API {path} answered HTTP {resp.status_code}.")
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise WeComError(f"企业微信接口 {path} 的回答不是 JSON。",
                             f"The WeCom API {path} did not answer JSON.")
        return body


def _short(message: object, limit: int = 120) -> str:
    return str(message or "")[:limit]


def _refused(path: str, code: int, message: object) -> WeComError:
    return WeComError(f"企业微信接口 {path} 拒绝了请求(errcode {code}:{_short(message)})。",
                      f"The WeCom API {path} refused the request (errcode {code}: "
                      f"{_short(message)}).")
