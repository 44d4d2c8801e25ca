"""Campaigns through the real agent loop with the offline model: a draft scheduled in
words, the preview shown with the confirmation it waits for, "确认" / "取消", a
supervisor's approval in chat, and the requester refused when approving their own."""

from __future__ import annotations

from copilot.campaigns import store
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.agent.conftest import Talk, converse
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool

SCHEDULE = "把这条用短信发给“金银卡”分组 周六上午10点"
DRAFT = "帮我写一条会员日短信 满500减80 这周六"


def _segment(settings: Settings, members: MemberStore) -> None:
    out = run_tool(make_ctx(settings, members, "E03"), "build_segment",
                   {"tiers": ["金卡", "银卡"], "save_as": "金银卡"})
    assert out.ok, out.error


def _state(settings: Settings, campaign_id: str) -> str:
    return store.get(StateStore.from_settings(settings), campaign_id).state


def test_a_draft_scheduled_waits_for_confirmation_then_is_scheduled(
        settings: Settings, chain_store: MemberStore, talk: Talk) -> None:
    _segment(settings, chain_store)
    draft, preview, done = talk("E03", DRAFT, SCHEDULE, "确认")
    assert [c.name for c in draft.tool_calls] == ["draft_group_post"]
    [call] = preview.tool_calls
    assert call.name == "schedule_campaign" and call.ok, call.error
    assert call.args["segment"] == "金银卡" and call.args["channels"] == ["sms"]
    assert call.args["text"] == draft.tool_calls[0].result["drafts"][0]["text"]
    campaign_id = call.result["campaign_id"]
    # the answer is the preview itself, then the question it waits on
    assert "活动预览" in preview.answer and "请回复“确认”" in preview.answer
    assert preview.pending_action and preview.pending_action.name == "confirm_campaign"
    assert preview.pending_action.args == {"campaign": campaign_id}
    assert f"实际触达 {call.result['members_reached']} 人" in preview.answer
    assert [c.name for c in done.tool_calls] == ["confirm_campaign"]
    assert _state(settings, campaign_id) == "scheduled"
    assert "已排期" in done.answer


def test_turning_the_preview_down_cancels_the_campaign(
        settings: Settings, chain_store: MemberStore, talk: Talk) -> None:
    _segment(settings, chain_store)
    _, preview, no = talk("E03", DRAFT, SCHEDULE, "取消")
    campaign_id = preview.tool_calls[0].result["campaign_id"]
    assert no.tool_calls == [] and _state(settings, campaign_id) == "cancelled"


def test_changing_the_subject_also_cancels_the_waiting_campaign(
        settings: Settings, chain_store: MemberStore, talk: Talk) -> None:
    _segment(settings, chain_store)
    _, preview, other = talk("E03", DRAFT, SCHEDULE, "朝阳店上个月复购率多少")
    campaign_id = preview.tool_calls[0].result["campaign_id"]
    assert "没有确认,已取消" in other.answer
    assert _state(settings, campaign_id) == "cancelled"


def test_a_big_campaign_goes_to_the_supervisor_who_approves_it_in_chat(
        settings: Settings, chain_store: MemberStore) -> None:
    small = settings.model_copy(update={"campaign": settings.campaign.model_copy(
        update={"approval_audience": 1})})
    _segment(small, chain_store)
    mine = converse(small, [("E03", DRAFT), ("E03", SCHEDULE), ("E03", "确认")])
    campaign_id = mine[1].tool_calls[0].result["campaign_id"]
    assert _state(small, campaign_id) == "pending_approval"
    assert "督导审批" in mine[2].answer
    # the requester cannot approve their own, even after saying 确认
    own = converse(small, [("E03", f"通过 {campaign_id}"), ("E03", "确认")], thread="t2")
    assert not own[1].tool_calls[0].ok and "不能审批自己" in own[1].answer
    assert _state(small, campaign_id) == "pending_approval"
    # the region's supervisor sees it waiting, approves, and it is scheduled
    boss = converse(small, [("E05", "有哪些活动等我审批"), ("E05", f"通过 {campaign_id}"),
                            ("E05", "确认")], thread="t3")
    assert campaign_id in boss[0].answer
    assert boss[1].pending_action and boss[1].pending_action.name == "approve_campaign"
    assert "将审批通过活动" in boss[1].answer
    assert boss[2].tool_calls[0].ok and _state(small, campaign_id) == "scheduled"


def test_a_supervisor_rejects_with_a_reason(settings: Settings,
                                           chain_store: MemberStore) -> None:
    small = settings.model_copy(update={"campaign": settings.campaign.model_copy(
        update={"approval_audience": 1})})
    _segment(small, chain_store)
    mine = converse(small, [("E03", DRAFT), ("E03", SCHEDULE), ("E03", "确认")])
    campaign_id = mine[1].tool_calls[0].result["campaign_id"]
    boss = converse(small, [("E05", f"驳回 {campaign_id} 这周已经发过两次了"), ("E05", "确认")],
                    thread="t4")
    assert boss[0].pending_action.args == {"campaign": campaign_id, "approve": False,
                                           "note": "这周已经发过两次了"}
    assert _state(small, campaign_id) == "cancelled"
    notes = [e["note"] for e in store.history(StateStore.from_settings(small), campaign_id)]
    assert "这周已经发过两次了" in notes


def test_asking_without_a_segment_asks_which_one(talk: Talk) -> None:
    [ask] = talk("E03", "帮我群发一条消息")
    assert ask.tool_calls == [] and "哪个分组" in ask.answer


def test_my_campaigns_and_cancelling_one_by_id(settings: Settings, chain_store: MemberStore,
                                               talk: Talk) -> None:
    _segment(settings, chain_store)
    _, preview, _ = talk("E03", DRAFT, SCHEDULE, "确认")
    campaign_id = preview.tool_calls[0].result["campaign_id"]
    listing, cancel, yes = talk("E03", "我的活动", f"取消活动 {campaign_id}", "确认",
                                thread="t5")
    assert listing.tool_calls[0].name == "campaign_status" and campaign_id in listing.answer
    assert cancel.pending_action.name == "cancel_campaign"
    assert yes.tool_calls[0].ok and _state(settings, campaign_id) == "cancelled"
