"""The Slack app: bolt's async app mounted on the service at /slack/events, or over Socket
Mode for teams without a public URL. Bolt verifies every request's signature and age;
a forged or stale one gets 401 and reaches no listener."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import aiohttp
from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from copilot.channels.background import later
from copilot.channels.gate import Gate
from copilot.channels.slack import campaigns
from copilot.channels.slack.listeners import Runtime, register
from copilot.config import Settings


def build_bolt(settings: Settings, runtime: Any) -> AsyncApp:
    """The bolt app; nothing is contacted until the first request (auth.test then)."""
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    bolt = AsyncApp(client=client,
                    signing_secret=settings.slack_signing_secret or "",
                    process_before_response=False, ssl_check_enabled=True)
    register(bolt, runtime)
    campaigns.register(bolt, runtime)  # 通过 / 驳回 on campaign approval DMs
    return bolt


class ServiceRuntime:
    """The service's gate and background tasks, looked up per request."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    @property
    def gate(self) -> Gate:
        return self.app.state.gate

    def later(self, work: Coroutine[Any, Any, Any]) -> Any:
        return later(self.app, work)


def mount(app: FastAPI, settings: Settings) -> None:
    runtime: Runtime = ServiceRuntime(app)
    bolt = build_bolt(settings, lambda: runtime)
    handler = AsyncSlackRequestHandler(bolt)

    @app.post("/slack/events", tags=["channels"], include_in_schema=True)
    async def slack_events(request: Request) -> Response:
        """Slack's Events API, slash commands and interactions (signed by Slack)."""
        _share_session(app, bolt.client)
        return await handler.handle(request)


def _share_session(app: FastAPI, client: AsyncWebClient) -> None:
    """One HTTP session for every Web API call, made on first need inside the service's
    loop: without it slack_sdk opens a new session and connection per call."""
    if client.session is None:
        client.session = aiohttp.ClientSession()
        app.state.closing.push_async_callback(client.session.close)
