"""Slack over Socket Mode: for a team whose service has no public URL, the service opens a
WebSocket to Slack instead of receiving HTTP requests. Opt-in (`copilot serve
--slack-socket`), because unlike the HTTP app it connects to Slack at start-up."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from copilot.channels.slack import ServiceRuntime, build_bolt
from copilot.config import Settings
from copilot.errors import UserError


def check(settings: Settings) -> None:
    if not (settings.slack_app_token and settings.slack_bot_token):
        raise UserError("Socket Mode 需要 COPILOT_SLACK_APP_TOKEN(xapp-…)和 "
                        "COPILOT_SLACK_BOT_TOKEN(xoxb-…)。",
                        "Socket Mode needs COPILOT_SLACK_APP_TOKEN (xapp-…) and "
                        "COPILOT_SLACK_BOT_TOKEN (xoxb-…).")


@contextlib.asynccontextmanager
async def socket_mode(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Connected while the service runs; the same listeners as the HTTP app."""
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    check(settings)
    runtime = ServiceRuntime(app)
    bolt = build_bolt(settings, lambda: runtime)
    handler = AsyncSocketModeHandler(bolt, settings.slack_app_token)
    await handler.connect_async()
    try:
        yield
    finally:
        await handler.close_async()
