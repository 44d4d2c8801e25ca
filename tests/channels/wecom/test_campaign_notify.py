"""Campaign approval news through WeCom app messages, against the mock WeCom API."""

from __future__ import annotations

import asyncio
import logging

import pytest

from copilot.campaigns import approvals, notify
from copilot.channels import identity
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.test_approvals import user, waiting
from tests.channels.wecom.conftest import AGENT_ID, wecom_settings
from tests.support.wecom_api import WeComServer


@pytest.fixture
def state(settings: Settings) -> StateStore:
    return StateStore.from_settings(settings)


def test_a_linked_approver_gets_the_summary_and_how_to_reply(
        settings: Settings, state: StateStore, chain_store: MemberStore,
        wecom_api: WeComServer, caplog: pytest.LogCaptureFixture) -> None:
    cfg = wecom_settings(settings, wecom_api)
    identity.link(state, chain_store, "wecom", "chenjing", "E05")  # 华北 supervisor
    identity.link(state, chain_store, "wecom", "wulei", "E08")  # 华南: not an approver
    cid = waiting(state, chain_store)
    with caplog.at_level(logging.INFO, logger="copilot.campaigns.notify"):
        sent = asyncio.run(notify.notify_approvers(cfg, state, chain_store, cid))
    assert sent == 1
    [message] = wecom_api.sent
    assert message["touser"] == "chenjing" and message["agentid"] == AGENT_ID
    content = message["markdown"]["content"]
    assert "有一个活动等你审批" in content and "周六会员日" in content and "5000 人" in content
    assert f"回复“通过 {cid}”批准,或“驳回 {cid}”驳回" in content
    assert "approver E06" in caplog.text and "linked nowhere" in caplog.text  # the admin

    approvals.decide(state, cid, user(chain_store, "E05"), False, "人数太多")
    identity.link(state, chain_store, "wecom", "zhaomin", "E03")
    assert asyncio.run(notify.notify_requester(cfg, state, chain_store, cid)) == 1
    told = wecom_api.sent[-1]
    assert told["touser"] == "zhaomin"
    assert "被 陈静(E05)" in told["markdown"]["content"]
    assert "审批意见:人数太多" in told["markdown"]["content"]


def test_a_refusing_wecom_is_logged_never_raised(
        settings: Settings, state: StateStore, chain_store: MemberStore,
        wecom_api: WeComServer, caplog: pytest.LogCaptureFixture) -> None:
    cfg = wecom_settings(settings, wecom_api, wecom_secret="wrong-secret")
    identity.link(state, chain_store, "wecom", "chenjing", "E05")
    cid = waiting(state, chain_store)
    with caplog.at_level(logging.WARNING, logger="copilot.campaigns.notify"):
        assert asyncio.run(notify.notify_approvers(cfg, state, chain_store, cid)) == 0
        assert asyncio.run(notify.notify_approvers(cfg, state, chain_store, "gone")) == 0
    assert "not delivered" in caplog.text and "wrong-secret" not in caplog.text
    assert "could not be told" in caplog.text
    assert wecom_api.sent == []
