"""A campaign confirmed through `POST /api/chat` tells its approvers, as the chat
channels do (the service's gate runs the same follow-up for the API)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from copilot.api import create_app
from copilot.channels import identity
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.support.slack_api import SlackAPI
from tests.tools import chain
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool

DAY = chain.TODAY.isoformat()
AUTH = {"authorization": "Bearer api-secret"}


def test_confirming_through_the_api_notifies_the_supervisor(settings: Settings,
                                                            chain_store: MemberStore) -> None:
    with SlackAPI() as api:
        cfg = settings.model_copy(update={
            "slack_bot_token": "xoxb-test", "slack_signing_secret": "s", "slack_api_url": api.url,
            "api_token": "api-secret", "campaign": settings.campaign.model_copy(
                update={"approval_audience": 1})})
        identity.link(StateStore.from_settings(cfg), chain_store, "slack", "U05", "E05")
        assert run_tool(make_ctx(cfg, chain_store, "E03"), "build_segment",
                        {"tiers": ["金卡", "银卡"], "save_as": "金银卡"}).ok
        with TestClient(create_app(cfg, agent_processes=0)) as client:
            def say(text: str) -> dict:
                return client.post("/api/chat", headers=AUTH, json={
                    "message": text, "staff_id": "E03", "thread_id": "t1", "today": DAY}).json()

            preview = say("给“金银卡”分组发短信 周六上午10点 "
                          "内容:【朝阳店】周六会员日满500减80,回T退订")
            assert preview["pending_action"]["name"] == "confirm_campaign", preview
            done = say("确认")
            assert "督导审批" in done["answer"], done
            deadline = time.monotonic() + 10
            while not api.of("chat.postMessage") and time.monotonic() < deadline:
                time.sleep(0.05)
        [dm] = api.of("chat.postMessage")
        assert dm.params["channel"] == "U05" and "等你审批" in dm.params["text"]
