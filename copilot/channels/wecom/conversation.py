"""One message from a person to the app, answered after WeCom has had its empty 200.

WeCom waits 5 s for the callback and retries three times when it gets nothing, so the turn
(which may take longer) runs here, after the response, and the MsgId is claimed in the
state database first: a retry of a message already taken in gets no second answer, in
whichever worker it lands. Messages to an app are one-to-one chats, so each is direct and
the person's userid is the thread: "回复确认/取消" after a pending action reaches the same
conversation. The answer goes back through message/send as markdown, cut to WeCom's size,
and a chart the tools drew follows as an image.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx

from copilot.channels import render
from copilot.channels.gate import Gate, Inbound, Outbound, reply_text
from copilot.channels.wecom.api import MARKDOWN_LIMIT, TIMEOUT_S, TokenCache, WeComAPI
from copilot.config import Settings
from copilot.errors import UserError

log = logging.getLogger(__name__)
CHANNEL = "wecom"
NOT_TEXT = ("目前只能看懂文字消息,图片、语音和文件还读不了。请直接打字提问,"
            "例如“朝阳店上个月复购率”。")
CHART_SENT = "见下图"
CHART_MISSING = "(图片未能发送)"


@dataclass
class WeComChannel:
    """What the channel keeps between messages: the settings, the shared token, and one
    HTTP client (made on first need inside the service's loop: a client per reply would
    load the CA certificates each time, tens of milliseconds of the loop's time)."""

    settings: Settings
    tokens: TokenCache = field(default_factory=TokenCache)
    http: httpx.AsyncClient | None = None

    def client(self, closing: contextlib.AsyncExitStack) -> httpx.AsyncClient:
        if self.http is None:
            self.http = httpx.AsyncClient(timeout=TIMEOUT_S)
            closing.push_async_callback(self.http.aclose)
        return self.http


def asked_on(message: dict[str, str]) -> date | None:
    """The day the person asked (CreateTime), so "上个月" means the same month even when the
    answer is worked out after midnight; None (today) when WeCom did not say."""
    try:
        return datetime.fromtimestamp(int(message.get("CreateTime", ""))).date()
    except (ValueError, OverflowError, OSError):
        return None


async def respond(channel: WeComChannel, gate: Gate, message: dict[str, str],
                  http: httpx.AsyncClient) -> None:
    """Answer one decrypted message; events (entering the app, menu clicks) get nothing."""
    user, kind = message.get("FromUserName", ""), message.get("MsgType", "")
    if not user or kind == "event":
        log.debug("WeCom %s event from %s ignored", message.get("Event", "?"), user or "?")
        return
    inbound = Inbound(CHANNEL, user, user, message.get("Content", ""), direct=True,
                      event_id=message.get("MsgId") or None, today=asked_on(message))
    if not await gate.first_time(inbound):
        log.info("WeCom retried MsgId %s; already taken in", inbound.event_id)
        return
    try:
        api = WeComAPI(channel.settings, http, channel.tokens)
        if kind != "text":  # image, voice, video, file, location, link
            known = await gate.staff_of(CHANNEL, user) is not None
            await api.send_markdown(user, NOT_TEXT if known else reply_text("unregistered"))
            return
        await deliver(api, user, await gate.handle(inbound))
    except UserError as exc:  # WeCom refused or is unreachable: nobody to tell but the log
        log.warning("WeCom reply to %s not delivered: %s", user, exc.en)


async def deliver(api: WeComAPI, user: str, out: Outbound) -> int:
    """Send a gate outcome to `user`; how many messages it took."""
    if out.result is None:  # unregistered, limited, refused, failed: a fixed sentence
        return await _send_text(api, user, out.text)
    view = render.view(out.result)
    text = render.markdown(view)
    media: list[str] = []
    for chart in view.charts:  # upload first, so the text can say whether a picture follows
        media_id = await _upload(api, chart)
        text = render.without_paths(text, [chart], CHART_SENT if media_id else CHART_MISSING)
        if media_id:
            media.append(media_id)
    sent = await _send_text(api, user, text)
    for media_id in media:
        await api.send_image(user, media_id)
    return sent + len(media)


async def _send_text(api: WeComAPI, user: str, text: str) -> int:
    pieces = render.split(text, MARKDOWN_LIMIT)
    for piece in pieces:
        await api.send_markdown(user, piece)
    return len(pieces)


async def _upload(api: WeComAPI, chart: Path) -> str | None:
    """A chart that cannot be uploaded costs the picture, not the answer."""
    try:
        return await api.upload_image(chart)
    except (UserError, OSError) as exc:
        log.warning("WeCom chart %s not uploaded: %s", chart.name, exc)
        return None
