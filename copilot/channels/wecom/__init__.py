"""The WeCom (企业微信) channel: a self-built app's callback, and a group robot.

`mount` adds `/wecom/callback`, the URL set in the app's "接收消息" settings. GET is WeCom
checking the URL (the decrypted echostr goes back as plain text); POST is a message,
checked and decrypted before anything else happens, acknowledged at once with the empty
200 WeCom reads as success, and answered afterwards through the app API
(`conversation.respond`). A request that fails the signature, the timestamp window or
decryption gets a JSON error and reaches nothing further. Only the AES key's shape is
checked at start-up; the app secret is used when the first reply is sent.

`post_markdown` posts to a group through a robot webhook (COPILOT_WECOM_WEBHOOK_URL).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse, Response

from copilot.channels.background import later
from copilot.channels.wecom.api import WeComError
from copilot.channels.wecom.callback import MAX_BODY, BadCallback, Callback, CallbackRefused
from copilot.channels.wecom.conversation import WeComChannel, respond
from copilot.channels.wecom.robot import RobotError, post_markdown
from copilot.config import Settings

log = logging.getLogger(__name__)
PATH = "/wecom/callback"


def mount(app: FastAPI, settings: Settings) -> None:
    """Serve the callback of the app configured in `settings` (contacts nothing now)."""
    callback = Callback(settings)  # a malformed AES key stops the service here, said clearly
    channel = WeComChannel(settings)
    if not (settings.wecom_secret and settings.wecom_agent_id is not None):
        log.warning("WeCom callback mounted without COPILOT_WECOM_SECRET/AGENT_ID: messages "
                    "are accepted but cannot be answered")
    router = APIRouter(tags=["wecom"])

    @router.get(PATH, response_class=PlainTextResponse)
    def verify(msg_signature: str = Query(..., max_length=128),
               timestamp: str = Query(..., max_length=32),
               nonce: str = Query(..., max_length=128),
               echostr: str = Query(..., max_length=1024)) -> PlainTextResponse:
        """企业微信校验回调 URL:验签后返回解密的 echostr 明文。"""
        return PlainTextResponse(callback.verify_url(msg_signature, timestamp, nonce, echostr))

    @router.post(PATH)
    async def receive(request: Request, msg_signature: str = Query(..., max_length=128),
                      timestamp: str = Query(..., max_length=32),
                      nonce: str = Query(..., max_length=128)) -> Response:
        """企业微信推送的加密消息:验签解密后立即回空串 200,回答稍后经应用消息发出。"""
        message = callback.open(msg_signature, timestamp, nonce, await _body(request))
        http = channel.client(request.app.state.closing)
        later(request.app, respond(channel, request.app.state.gate, message, http))
        return Response(status_code=200)

    app.include_router(router)


async def _body(request: Request) -> bytes:
    """At most MAX_BODY + 1 bytes: enough for `Callback.open` to refuse an oversized body
    without holding all of it in memory."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            break
    return bytes(data[:MAX_BODY + 1])


__all__ = ["BadCallback", "Callback", "CallbackRefused", "RobotError", "WeComError", "mount",
           "post_markdown"]
