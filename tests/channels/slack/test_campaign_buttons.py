"""通过 / 驳回 on a campaign's approval DM, pressed by the right and the wrong people."""

from __future__ import annotations

import asyncio

from copilot.campaigns import notify, store
from copilot.channels.slack import blocks
from copilot.data.store import MemberStore
from tests.campaigns.test_approvals import waiting
from tests.channels.slack.conftest import Slack


def _dm_to_approver(slack: Slack, members: MemberStore, cid: str) -> dict:
    """The approval DM as the approver E05 (Slack U05) received it."""
    settings = slack.client.app.state.settings  # type: ignore[attr-defined]
    assert asyncio.run(notify.notify_approvers(settings, slack.state, members, cid)) == 1
    [post] = slack.api.of("chat.postMessage")  # the admin E06 is linked nowhere: skipped
    assert post.params["channel"] == "U05" and "有一个活动等你审批" in post.params["text"]
    buttons = post.params["blocks"][-1]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (blocks.CAMPAIGN_APPROVE, cid), (blocks.CAMPAIGN_REJECT, cid)]
    return {"ts": "1700000100.000100", "blocks": post.params["blocks"],
            "text": post.params["text"]}


def _notes(slack: Slack) -> list[str]:
    return [c.params["text"] for c in slack.api.of("chat.postEphemeral")]


def test_the_regions_supervisor_approves_and_the_requester_hears(
        slack: Slack, chain_store: MemberStore) -> None:
    cid = waiting(slack.state, chain_store)
    message = _dm_to_approver(slack, chain_store, cid)
    slack.press(blocks.CAMPAIGN_APPROVE, cid, user="U05", message=message, channel="D05")
    slack.settle()
    assert store.get(slack.state, cid).state == "scheduled"
    [update] = slack.api.of("chat.update")
    assert update.params["channel"] == "D05" and update.params["ts"] == message["ts"]
    assert "陈静(E05)于" in update.params["text"] and "审批通过" in update.params["text"]
    assert "actions" not in [b["type"] for b in update.params["blocks"]]  # buttons gone
    summary = update.params["blocks"][0]["text"]["text"]
    assert f"编号 {cid}" in summary and "等你审批" not in summary
    told = [c for c in slack.api.of("chat.postMessage") if c.params["channel"] == "U03"]
    assert len(told) == 1 and "已由 陈静(E05)" in told[0].params["text"]
    assert "审批通过" in told[0].params["text"] and "2026-11-28 10:00" in told[0].params["text"]

    slack.press(blocks.CAMPAIGN_APPROVE, cid, user="U05", message=message, channel="D05")
    slack.press(blocks.CAMPAIGN_REJECT, cid, user="U05", message=message, channel="D05")
    slack.settle()
    assert store.get(slack.state, cid).state == "scheduled"  # the second press changed nothing
    assert len(slack.api.of("chat.update")) == 1
    assert sum("已经处理过了" in n for n in _notes(slack)) == 2
    assert len([c for c in slack.api.of("chat.postMessage")
                if c.params["channel"] == "U03"]) == 1  # told once


def test_the_requester_and_strangers_cannot_decide(slack: Slack,
                                                   chain_store: MemberStore) -> None:
    cid = waiting(slack.state, chain_store)
    message = _dm_to_approver(slack, chain_store, cid)
    for user in ("U03", "U01", "U404"):  # the requester, a guide, someone unlinked
        slack.press(blocks.CAMPAIGN_APPROVE, cid, user=user, message=message, channel="C1")
    slack.press(blocks.CAMPAIGN_APPROVE, "no-such-id", user="U05", message=message)
    slack.settle()
    notes = _notes(slack)
    assert len(notes) == 4
    assert any("不能审批自己发起的活动" in n for n in notes)
    assert any("只有活动所在区域的督导或管理员可以审批" in n for n in notes)
    assert any("还没有登记" in n for n in notes) and any("找不到活动" in n for n in notes)
    assert {c.params["user"] for c in slack.api.of("chat.postEphemeral")} == {
        "U03", "U01", "U404", "U05"}  # each refusal seen by its presser alone
    assert store.get(slack.state, cid).state == "pending_approval"
    assert slack.api.of("chat.update") == []


def test_a_rejection_cancels_and_tells_the_requester(slack: Slack,
                                                     chain_store: MemberStore) -> None:
    cid = waiting(slack.state, chain_store)
    message = _dm_to_approver(slack, chain_store, cid)
    slack.press(blocks.CAMPAIGN_REJECT, cid, user="U05", message=message, channel="D05")
    slack.settle()
    assert store.get(slack.state, cid).state == "cancelled"
    assert "驳回" in slack.api.of("chat.update")[0].params["text"]
    [told] = [c for c in slack.api.of("chat.postMessage") if c.params["channel"] == "U03"]
    assert "被 陈静(E05)" in told.params["text"] and "活动已取消" in told.params["text"]
