"""Socket Mode: the same listeners, over a WebSocket the service opens (to a local server
standing in for Slack's), acknowledging each envelope and replying through the Web API."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator

import pytest
from aiohttp import WSMsgType, web
from fastapi.testclient import TestClient

from copilot.api import create_app
from copilot.channels import identity
from copilot.config import Settings
from copilot.errors import UserError
from copilot.state.db import StateStore
from tests.support.slack_api import SlackAPI
from tests.tools import chain


class SocketServer:
    """Sends one events_api envelope when the app connects; keeps what comes back."""

    def __init__(self, envelope: dict) -> None:
        self.envelope, self.received = envelope, []
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()

    def __enter__(self) -> SocketServer:
        threading.Thread(target=self._run, daemon=True).start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/link", self._socket)
        runner = web.AppRunner(app)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self.loop.run_forever()

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        await ws.send_str(json.dumps(self.envelope))
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.received.append(json.loads(msg.data))
        return ws


@pytest.fixture
def envelope() -> dict:
    event = {"type": "app_mention", "user": "U03", "text": "<@UBOT> 朝阳店上个月复购率",
             "channel": "C9", "ts": "1700000100.000100"}
    return {"envelope_id": "env-1", "type": "events_api", "accept_response_payload": False,
            "payload": {"type": "event_callback", "event_id": "EvS1", "team_id": "T1",
                        "api_app_id": "A1", "event": event,
                        "authorizations": [{"user_id": "UBOT", "is_bot": True}]}}


def test_socket_mode_acks_the_envelope_and_answers_in_the_thread(
        settings: Settings, chain_store, envelope: dict) -> None:
    with SlackAPI() as api, SocketServer(envelope) as socket:
        api.socket_url = f"ws://127.0.0.1:{socket.port}/link"
        cfg = settings.model_copy(update={"slack_bot_token": "xoxb-test",
                                          "slack_app_token": "xapp-test",
                                          "slack_api_url": api.url})
        identity.link(StateStore.from_settings(cfg), chain_store, "slack", "U03", "E03")
        with TestClient(create_app(cfg, slack_socket=True)) as client:
            client.app.state.gate.today = lambda: chain.TODAY  # type: ignore[attr-defined]
            [post] = api.wait_for("chat.postMessage", timeout=20)
            deadline = time.monotonic() + 5
            while not socket.received and time.monotonic() < deadline:
                time.sleep(0.01)
        [opened] = api.of("apps.connections.open")[:1]
        assert opened.token == "xapp-test"
        assert {"envelope_id": "env-1"} in socket.received
        assert post.params["channel"] == "C9"
        assert post.params["thread_ts"] == "1700000100.000100"
        assert post.token == "xoxb-test" and "复购率" in post.params["text"]


def test_socket_mode_without_its_tokens_is_refused_in_chinese(settings: Settings) -> None:
    with pytest.raises(UserError, match="COPILOT_SLACK_APP_TOKEN"):
        create_app(settings, slack_socket=True)


@pytest.fixture(autouse=True)
def _quiet_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    yield
