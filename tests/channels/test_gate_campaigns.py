"""The gate tells a campaign's approvers once a turn has sent it for approval."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from copilot.agent.service import Copilot
from copilot.agent.turn import ToolCall, TurnResult
from copilot.campaigns import store
from copilot.channels import identity
from copilot.channels.gate import Gate, Inbound
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.test_approvals import waiting
from tests.support.slack_api import SlackAPI


class Confirming:
    """Turns as if the agent had run confirm_campaign (the tool is tested elsewhere)."""

    def __init__(self, campaign_id: str, state: str = "pending_approval") -> None:
        self.campaign_id, self.state = campaign_id, state

    async def turn(self, message: str, **kw: Any) -> TurnResult:
        return TurnResult(answer="已确认,已提交区域督导审批。", tool_calls=[ToolCall(
            name="confirm_campaign", args={"campaign": self.campaign_id}, ok=True,
            result={"campaign_id": self.campaign_id, "state": self.state})])


def test_a_confirmation_waiting_for_approval_notifies_in_the_background(
        settings: Settings, chain_store: MemberStore) -> None:
    with SlackAPI() as api:
        cfg = settings.model_copy(update={"slack_bot_token": "xoxb-test",
                                          "slack_api_url": api.url})
        state = StateStore.from_settings(cfg)
        identity.link(state, chain_store, "slack", "U03", "E03")
        identity.link(state, chain_store, "slack", "U05", "E05")
        cid = waiting(state, chain_store)
        other = waiting(state, chain_store, name="小活动")

        async def run() -> int:
            scheduled: list[Coroutine[Any, Any, Any]] = []
            async with Copilot.open(cfg) as copilot:
                # A result that says scheduled (below the approval line) tells nobody.
                for campaign, moved in ((other, "scheduled"), (cid, "pending_approval")):
                    gate = Gate(copilot, turns=Confirming(campaign, moved),
                                later=scheduled.append)
                    out = await gate.handle(Inbound("slack", "U03", "D03", "确认", True))
                    assert out.kind == "answer"
                assert len(scheduled) == 1 and api.of("chat.postMessage") == []  # not yet
                sent = await scheduled[0]
                # Without a runner of its own the gate keeps the task itself.
                gate = Gate(copilot, turns=Confirming(cid))
                await gate.handle(Inbound("slack", "U03", "D03", "确认", True))
                await asyncio.gather(*gate._tasks)
                return sent

        assert asyncio.run(run()) == 1
        posts = api.of("chat.postMessage")
        assert [p.params["channel"] for p in posts] == ["U05", "U05"]
        assert f"编号 {cid}" in posts[0].params["text"]
        assert store.get(state, cid).state == "pending_approval"
