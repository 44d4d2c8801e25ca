"""The Slack and WeCom halves of the service benchmark: local mocks of their cloud APIs,
staff links, and events fired at the running service the way each platform sends them."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from slack_sdk.signature import SignatureVerifier
from wechatpy.enterprise.crypto import WeChatCrypto

from copilot.channels import identity
from copilot.config import get_settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.support.slack_api import SlackAPI
from tests.support.wecom_api import WeComServer

SLACK_SECRET = "bench-signing-secret"
STAFF = ["E0001", "E0002", "E0220"]
QUESTION = "朝阳店上个月复购率"
CORP_ID = "wwbench0001"
WECOM_TOKEN = "bench-callback-token"
WECOM_KEY = base64.b64encode(bytes(range(40, 72))).decode().rstrip("=")  # 43 characters


@dataclass
class Mocks:
    slack: SlackAPI
    wecom: WeComServer
    slack_expected: int = 0
    wecom_expected: int = 0

    def slack_replies(self, wait_s: float = 60) -> int:
        """Replies posted, once the ones expected are in (or after `wait_s`)."""
        self._wait(lambda: len(self.slack.of("chat.postMessage")) >= self.slack_expected,
                   wait_s)
        return len(self.slack.of("chat.postMessage"))

    def wecom_replies(self, wait_s: float = 60) -> int:
        self._wait(lambda: len(self.wecom.sent) >= self.wecom_expected, wait_s)
        return len(self.wecom.sent)

    @staticmethod
    def _wait(done: Callable[[], bool], wait_s: float) -> None:
        deadline = time.monotonic() + wait_s
        while not done() and time.monotonic() < deadline:
            time.sleep(0.05)


@contextlib.contextmanager
def channel_mocks(env: dict[str, str], data: Path) -> Iterator[Mocks]:
    """Mock APIs up, the service's env pointed at them, bench users linked to staff."""
    with SlackAPI() as slack, WeComServer(corp_id=CORP_ID) as wecom:
        env.update({"COPILOT_SLACK_BOT_TOKEN": "xoxb-bench",
                    "COPILOT_SLACK_SIGNING_SECRET": SLACK_SECRET,
                    "COPILOT_SLACK_API_URL": slack.url,
                    "COPILOT_WECOM_CORP_ID": CORP_ID, "COPILOT_WECOM_TOKEN": WECOM_TOKEN,
                    "COPILOT_WECOM_AES_KEY": WECOM_KEY, "COPILOT_WECOM_AGENT_ID": "1000002",
                    "COPILOT_WECOM_SECRET": wecom.secret, "COPILOT_WECOM_API_URL": wecom.url})
        cfg = get_settings(data_dir=data, database_url=env["COPILOT_DATABASE_URL"])
        state, members = StateStore.from_settings(cfg), MemberStore.from_settings(cfg)
        for i, staff in enumerate(STAFF):
            identity.link(state, members, "slack", f"UB{i}", staff)
            identity.link(state, members, "wecom", f"wb{i}", staff)
        members.close()
        state.close()
        yield Mocks(slack, wecom)


def _slack_body(i: int) -> str:
    ts = f"{1_700_000_000 + i}.000100"
    return json.dumps({"type": "event_callback", "event_id": f"EvB{i}-{time.time_ns()}",
                       "team_id": "T1", "api_app_id": "A1",
                       "event": {"type": "app_mention", "user": f"UB{i % len(STAFF)}",
                                 "text": f"<@UBOT> {QUESTION}", "channel": "CB",
                                 "ts": ts, "event_ts": ts}})


async def _timed(client: httpx.AsyncClient, method: str, url: str, **kw) -> float:
    t0 = time.perf_counter()
    r = await client.request(method, url, **kw)
    if r.status_code != 200:
        raise SystemExit(f"{url}: HTTP {r.status_code} {r.text[:200]}")
    return (time.perf_counter() - t0) * 1000


async def _paced(make, n: int, rate: float | None) -> list[float]:
    """n requests, all at once (rate None) or started `rate` per second; their times."""
    async def start(i: int) -> float:
        if rate:
            await asyncio.sleep(i / rate)
        return await make(i)

    return list(await asyncio.gather(*(start(i) for i in range(n))))


async def slack_acks(base: str, mocks: Mocks, n: int, rate: float | None = None
                     ) -> tuple[list[float], list[float]]:
    signer = SignatureVerifier(SLACK_SECRET)
    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 limits=httpx.Limits(max_connections=n + 10)) as client:
        async def event(i: int) -> float:
            body, stamp = _slack_body(i), str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
                       "X-Slack-Signature": signer.generate_signature(timestamp=stamp,
                                                                      body=body) or ""}
            return await _timed(client, "POST", "/slack/events", content=body,
                                headers=headers)

        mocks.slack_expected = len(mocks.slack.of("chat.postMessage")) + n
        acks = await _paced(event, n, rate)
        peer = await _paced(lambda i: _timed(client, "GET", "/healthz"), n, rate)
    return acks, peer


def _wecom_post(i: int) -> tuple[dict[str, str], str]:
    """WeCom's callback POST for one text message: encrypted and signed with wechatpy."""
    now = int(time.time())
    plain = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
             f"<FromUserName><![CDATA[wb{i % len(STAFF)}]]></FromUserName>"
             f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
             f"<Content><![CDATA[{QUESTION}]]></Content><MsgId>{time.time_ns() + i}</MsgId>"
             f"<AgentID>1000002</AgentID></xml>")
    nonce = str(100000 + i)
    sealed = ET.fromstring(WeChatCrypto(WECOM_TOKEN, WECOM_KEY, CORP_ID)
                           .encrypt_message(plain, nonce, str(now)))
    body = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<Encrypt><![CDATA[{sealed.findtext('Encrypt')}]]></Encrypt>"
            f"<AgentID><![CDATA[1000002]]></AgentID></xml>")
    return {"msg_signature": sealed.findtext("MsgSignature") or "", "timestamp": str(now),
            "nonce": nonce}, body


async def wecom_acks(base: str, mocks: Mocks, n: int, rate: float | None = None
                     ) -> tuple[list[float], list[float]]:
    posts = [_wecom_post(i) for i in range(n)]  # encrypted before the clock starts
    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 limits=httpx.Limits(max_connections=n + 10)) as client:
        mocks.wecom_expected = len(mocks.wecom.sent) + n
        acks = await _paced(lambda i: _timed(
            client, "POST", "/wecom/callback", params=posts[i][0],
            content=posts[i][1].encode(), headers={"Content-Type": "text/xml"}), n, rate)
        peer = await _paced(lambda i: _timed(client, "GET", "/healthz"), n, rate)
    return acks, peer
