"""The service with Slack on, over the small test chain, against a local mock of Slack's
Web API; requests are signed the way Slack signs them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier

from copilot.api import create_app
from copilot.channels import identity
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.support.slack_api import SlackAPI
from tests.tools import chain

SECRET = "test-signing-secret"
LOCAL = ("127.0.0.1", 50000)


def signed_headers(body: str, *, secret: str = SECRET, ts: int | None = None,
                   kind: str = "application/json") -> dict[str, str]:
    stamp = str(ts if ts is not None else int(time.time()))
    sig = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sig or "",
            "Content-Type": kind}


@dataclass
class Slack:
    client: TestClient
    api: SlackAPI
    state: StateStore

    def event(self, event: dict, *, event_id: str = "Ev1", headers: dict | None = None,
              secret: str = SECRET, ts: int | None = None):
        body = json.dumps({"token": "x", "team_id": "T1", "api_app_id": "A1",
                           "type": "event_callback", "event_id": event_id,
                           "event_time": int(time.time()), "event": event,
                           "authorizations": [{"user_id": "UBOT", "is_bot": True}]})
        return self.client.post("/slack/events", content=body,
                                 headers={**signed_headers(body, secret=secret, ts=ts),
                                          **(headers or {})})

    def mention(self, text: str, *, user: str = "U03", ts: str = "1700000001.000100",
                thread_ts: str | None = None, channel: str = "C1", event_id: str = "Ev1",
                **kw):
        event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}",
                 "channel": channel, "ts": ts, "event_ts": ts}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, event_id=event_id, **kw)

    def form(self, fields: dict[str, str]):
        body = urlencode(fields)
        return self.client.post("/slack/events", content=body, headers=signed_headers(
            body, kind="application/x-www-form-urlencoded"))

    def press(self, action_id: str, value: str, *, user: str, message: dict,
              channel: str = "C1"):
        payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T1"},
                   "api_app_id": "A1", "token": "x", "trigger_id": "tr1",
                   "channel": {"id": channel, "name": "ops"}, "message": message,
                   "container": {"type": "message", "message_ts": message["ts"]},
                   "actions": [{"type": "button", "action_id": action_id, "value": value,
                                "block_id": "b", "action_ts": "1"}]}
        return self.form({"payload": json.dumps(payload, ensure_ascii=False)})

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until every reply started after an ack has finished."""
        deadline = time.monotonic() + timeout
        while self.client.app.state.background and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.01)
        assert not self.client.app.state.background, "replies still running"  # type: ignore[attr-defined]


@pytest.fixture
def slack_on(settings: Settings) -> Callable[[str], Settings]:
    def make(api_url: str) -> Settings:
        return settings.model_copy(update={"slack_bot_token": "xoxb-test",
                                           "slack_signing_secret": SECRET,
                                           "slack_api_url": api_url})
    return make


@pytest.fixture
def slack(slack_on, chain_store: MemberStore) -> Iterator[Slack]:
    with SlackAPI() as api:
        cfg = slack_on(api.url)
        state = StateStore.from_settings(cfg)
        for user, staff in (("U03", "E03"), ("U01", "E01"), ("U05", "E05")):
            identity.link(state, chain_store, "slack", user, staff)
        with TestClient(create_app(cfg), client=LOCAL) as client:
            client.app.state.gate.today = lambda: chain.TODAY  # type: ignore[attr-defined]
            yield Slack(client, api, state)
