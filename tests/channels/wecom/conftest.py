"""The service with the WeCom channel on, over the small test chain, against a local mock of
WeCom's server API. Callbacks are encrypted and signed by wechatpy the way WeCom does it,
independently of the code under test (which only decrypts)."""

from __future__ import annotations

import base64
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock_time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from wechatpy.enterprise.crypto import WeChatCrypto

from copilot.api import create_app
from copilot.channels import identity
from copilot.channels.background import drain
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.support.wecom_api import WeComServer
from tests.tools import chain

CORP_ID = "wwcorp0001"
TOKEN = "callback-token"
AES_KEY = base64.b64encode(bytes(range(7, 39))).decode().rstrip("=")  # 43 characters
AGENT_ID = 1000002
SECRET = "app-secret"
LOCAL = ("127.0.0.1", 50000)
ASKED_AT = int(datetime.combine(chain.TODAY, clock_time(10, 0)).timestamp())  # CreateTime


def text_message(user: str, content: str, *, msg_id: str = "1001",
                 created: int = ASKED_AT) -> str:
    """A text message as WeCom's callback carries it, before encryption."""
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{created}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>")


def other_message(user: str, kind: str, extra: str, *, msg_id: str | None = "2001") -> str:
    msg_id_xml = f"<MsgId>{msg_id}</MsgId>" if msg_id else ""
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{ASKED_AT}"
            f"</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{extra}{msg_id_xml}"
            f"<AgentID>{AGENT_ID}</AgentID></xml>")


def seal(plain: str, *, token: str = TOKEN, key: str = AES_KEY, corp_id: str = CORP_ID,
         timestamp: str | None = None, nonce: str = "1372623149") -> tuple[dict[str, str], str]:
    """(query, body) of WeCom's POST for `plain`: wechatpy encrypts and signs it, and the
    body is rebuilt in the shape WeCom posts (ToUserName, Encrypt, AgentID)."""
    stamp = timestamp or str(int(time.time()))
    envelope = ET.fromstring(WeChatCrypto(token, key, corp_id).encrypt_message(plain, nonce,
                                                                              stamp))
    body = (f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt>"
            f"<AgentID><![CDATA[{AGENT_ID}]]></AgentID></xml>")
    query = {"msg_signature": envelope.findtext("MsgSignature") or "", "timestamp": stamp,
             "nonce": nonce}
    return query, body


@dataclass
class WeCom:
    client: TestClient
    api: WeComServer
    state: StateStore
    members: MemberStore
    settings: Settings

    def post(self, query: dict[str, str], body: str | bytes) -> httpx.Response:
        return self.client.post(f"/wecom/callback?{urlencode(query)}", content=body,
                                headers={"Content-Type": "text/xml"})

    def deliver(self, plain: str, **seal_kw: Any) -> httpx.Response:
        """POST `plain` the way WeCom would, encrypted and signed."""
        return self.post(*seal(plain, **seal_kw))

    def say(self, user: str, content: str, **kw: Any) -> httpx.Response:
        return self.deliver(text_message(user, content, **kw))

    def link(self, user: str, staff_id: str) -> None:
        identity.link(self.state, self.members, "wecom", user, staff_id)

    def settle(self) -> None:
        """Wait for every reply started after an ack (the tasks `later` keeps on the app)."""
        assert self.client.portal is not None
        self.client.portal.call(drain, self.client.app, 30.0)
        assert not self.client.app.state.background  # type: ignore[attr-defined]

    def to(self, user: str) -> list[dict[str, Any]]:
        return [m for m in self.api.sent if m["touser"] == user]

    def turns(self) -> list[dict[str, Any]]:
        with self.state.begin() as conn:
            rows = conn.execute(text("SELECT * FROM channel_turns ORDER BY created_at"))
            return [dict(r) for r in rows.mappings()]


def wecom_settings(settings: Settings, server: WeComServer, **extra: Any) -> Settings:
    return settings.model_copy(update={
        "wecom_corp_id": CORP_ID, "wecom_token": TOKEN, "wecom_aes_key": AES_KEY,
        "wecom_agent_id": AGENT_ID, "wecom_secret": server.secret,
        "wecom_api_url": server.url, "wecom_webhook_url": server.webhook_url, **extra})


@pytest.fixture
def wecom_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[WeComServer]:
    """The mock WeCom API; a proxy from the environment would not reach loopback."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    with WeComServer(corp_id=CORP_ID, secret=SECRET) as server:
        yield server
    assert not server.errors, server.errors[0]


OpenWeCom = Callable[..., WeCom]


@pytest.fixture
def open_wecom(settings: Settings, chain_store: MemberStore,
               wecom_api: WeComServer) -> Iterator[OpenWeCom]:
    """open_wecom(**settings overrides) → a running service with the WeCom channel on."""
    stack: list[TestClient] = []

    def _open(**extra: Any) -> WeCom:
        cfg = wecom_settings(settings, wecom_api, **extra)
        client = TestClient(create_app(cfg), client=LOCAL)
        client.__enter__()
        stack.append(client)
        return WeCom(client, wecom_api, StateStore.from_settings(cfg), chain_store, cfg)

    yield _open
    for client in reversed(stack):
        client.__exit__(None, None, None)


@pytest.fixture
def wecom(open_wecom: OpenWeCom) -> WeCom:
    return open_wecom()
