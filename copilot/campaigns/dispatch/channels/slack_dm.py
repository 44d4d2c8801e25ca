"""Slack DM, for internal tests: every recipient's message goes to one Slack user.

Each message carries the recipient's key in its metadata (event type
"campaign_message"). A recipient tried before (attempts > 0) may already have been posted
by a worker that died before marking it, so the DM's history is read first, metadata
included, and a key found there is not posted again. Slack's Web API is called with
httpx directly, on the worker's one shared AsyncClient.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from sqlalchemy import Connection

from copilot.campaigns.dispatch.channels.base import Content, Outcome, Recipient, no_record
from copilot.config import Settings

EVENT = "campaign_message"
LOOKBACK_S = 2 * 86400  # how far back the history is searched for an earlier post
# Posts in flight at once. More does not go faster: httpx's pool slows down as requests
# queue in it (1,300 posts/s at 4 in flight to a local mock, under 500/s at 64); against
# Slack itself (~100 ms a post) 4 still allow 40 a second, twice the default send rate.
IN_FLIGHT = 4
_PASSING = {"ratelimited", "service_unavailable", "internal_error", "fatal_error",
            "request_timeout"}


class SlackError(Exception):
    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


class SlackDM:
    channel = "slack_dm"

    def __init__(self, api_url: str, token: str, user: str, http: httpx.AsyncClient) -> None:
        self._url = api_url.rstrip("/") + "/"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._user = user
        self._http = http
        self._dm: str | None = None
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)

    async def send(self, content: Content, batch: list[Recipient]) -> list[Outcome]:
        try:
            dm = await self._channel()
            done = await self._posted(dm, {r.key for r in batch if r.attempts > 0})
        except SlackError as exc:
            return [Outcome(r.member_id, False, exc.reason, retry=exc.retry) for r in batch]
        return list(await asyncio.gather(*(
            self._post(dm, content, r) if r.key not in done else _already(r)
            for r in batch)))

    def record(self, conn: Connection, content: Content, sent: list[Recipient]) -> None:
        no_record(conn, content, sent)

    async def _channel(self) -> str:
        if self._dm is None:
            body = await self._call("conversations.open", data={"users": self._user})
            self._dm = str(body["channel"]["id"])
        return self._dm

    async def _posted(self, dm: str, keys: set[str]) -> set[str]:
        """Which of `keys` the DM already holds."""
        found: set[str] = set()
        params = {"channel": dm, "include_all_metadata": "true", "limit": "200",
                  "oldest": f"{time.time() - LOOKBACK_S:.6f}"}
        while keys - found:
            body = await self._call("conversations.history", data=params)
            for message in body.get("messages") or []:
                meta = message.get("metadata") or {}
                if meta.get("event_type") == EVENT:
                    found.add(str((meta.get("event_payload") or {}).get("key")))
            cursor = (body.get("response_metadata") or {}).get("next_cursor")
            if not body.get("has_more") or not cursor:
                break
            params["cursor"] = cursor
        return found & keys

    async def _post(self, dm: str, content: Content, r: Recipient) -> Outcome:
        try:
            async with self._in_flight:
                await self._call("chat.postMessage", json={
                    "channel": dm, "text": message_text(content, r),
                    "metadata": {"event_type": EVENT, "event_payload": {"key": r.key}}})
        except SlackError as exc:
            return Outcome(r.member_id, False, exc.reason, retry=exc.retry)
        return Outcome(r.member_id, True)

    async def _call(self, method: str, *, data: dict[str, str] | None = None,
                    json: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            resp = await self._http.post(self._url + method, data=data, json=json,
                                         headers=self._headers)
        except httpx.TransportError as exc:
            raise SlackError(f"连不上 Slack({exc.__class__.__name__})", retry=True) from exc
        if resp.status_code == 429 or resp.status_code >= 500:
            raise SlackError(f"Slack 暂时不可用(HTTP {resp.status_code})", retry=True)
        try:
            body = resp.json()
        except ValueError:
            raise SlackError("Slack 的回答无法解析", retry=True) from None
        if not body.get("ok"):
            error = str(body.get("error") or "unknown")
            raise SlackError(f"Slack 拒绝了这条消息:{error}", retry=error in _PASSING)
        return body


async def _already(r: Recipient) -> Outcome:
    return Outcome(r.member_id, True)


def message_text(content: Content, r: Recipient) -> str:
    """The campaign's text, headed by whom it stands for (every DM goes to one tester)."""
    return f"【活动测试】{content.name} · 会员 {r.member_id}(门店 {r.store_id})\n\n{content.text}"


def slack_dm_sender(settings: Settings, http: httpx.AsyncClient) -> SlackDM | None:
    """None unless a bot token and the test user are set."""
    user = settings.campaign.slack_test_user
    if not (settings.slack_bot_token and user):
        return None
    return SlackDM(settings.slack_api_url, settings.slack_bot_token, user, http)
