"""Posting markdown to a WeCom group through a group robot's webhook.

A robot is the lightest way into a store's group chat: no app, no token, just the webhook
URL (its `key` is the credential, so the URL is never logged or put in an error). Campaign
drafts are shared this way. A robot's markdown may be 4096 bytes, so longer text goes out as
several messages, cut at line ends; WeCom allows a robot 20 messages a minute.
"""

from __future__ import annotations

import logging

import httpx

from copilot.channels.render import split
from copilot.config import Settings
from copilot.errors import UserError

log = logging.getLogger(__name__)
ROBOT_LIMIT = 4096  # bytes of markdown.content per robot message
TIMEOUT_S = 10.0
# What the errcodes people actually meet mean, and what to do about them.
HINTS = {
    93000: ("webhook 地址无效,或机器人已被移出群聊,请在群里重新添加机器人并更新地址",
            "the webhook URL is invalid or the robot was removed from the group"),
    45009: ("发送太频繁(每个机器人每分钟最多 20 条),请稍后再试",
            "too many messages (a robot may send 20 a minute); try again later"),
    40058: ("内容超长或格式不对", "the content is too long or malformed"),
}


class RobotError(UserError):
    """The group robot refused the message or could not be reached."""

    status = 502


async def post_markdown(settings: Settings, content: str,
                        http: httpx.AsyncClient | None = None) -> int:
    """Post `content` to the group of COPILOT_WECOM_WEBHOOK_URL; how many messages it took."""
    url = (settings.wecom_webhook_url or "").strip()
    if not url:
        raise RobotError("未配置群机器人:请把企业微信群机器人的 webhook 地址设为 "
                         "COPILOT_WECOM_WEBHOOK_URL。",
                         "No group robot configured: set COPILOT_WECOM_WEBHOOK_URL to the "
                         "robot's webhook URL.")
    pieces = split(content, ROBOT_LIMIT)
    if not pieces:
        raise RobotError("要发到群里的内容是空的。", "There is nothing to post to the group.")
    if http is None:
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as own:
            return await _post_all(own, url, pieces)
    return await _post_all(http, url, pieces)


async def _post_all(http: httpx.AsyncClient, url: str, pieces: list[str]) -> int:
    for number, piece in enumerate(pieces, 1):
        part = f"(第 {number}/{len(pieces)} 条)" if len(pieces) > 1 else ""
        await _post_one(http, url, piece, part)
    return len(pieces)


async def _post_one(http: httpx.AsyncClient, url: str, piece: str, part: str) -> None:
    try:
        resp = await http.post(url, json={"msgtype": "markdown", "markdown": {"content": piece}})
    except httpx.HTTPError as exc:
        raise RobotError(f"连不上企业微信群机器人{part}({type(exc).__name__}),消息没有发出。",
                         f"Could not reach the WeCom group robot ({type(exc).__name__}); "
                         "nothing was posted.") from None
    if resp.status_code != 200:
        raise RobotError(f"企业微信群机器人返回 HTTP {resp.status_code}{part},消息没有发出。",
                         f"The WeCom group robot answered HTTP {resp.status_code}; "
                         "the message was not posted.")
    try:
        body = resp.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise RobotError(f"企业微信群机器人的回答不是 JSON{part},消息可能没有发出。",
                         "The WeCom group robot did not answer JSON; the message may not "
                         "have been posted.")
    code = int(body.get("errcode", 0) or 0)
    if code != 0:
        zh, en = HINTS.get(code, ("", ""))
        message = str(body.get("errmsg") or "")[:120]
        log.warning("WeCom robot refused a message: errcode %s", code)
        raise RobotError(f"企业微信群机器人拒绝了消息{part}(errcode {code}"
                         f"{':' + zh if zh else ''}):{message}",
                         f"The WeCom group robot refused the message (errcode {code}"
                         f"{': ' + en if en else ''}): {message}")
