"""confirm / approve / cancel / status as tools: a send time that has passed, who sees
what is waiting for approval, and a preview's campaign cancelled when its requester's
confirmation expires while someone else speaks in the thread."""

from __future__ import annotations

from datetime import datetime, timedelta

from copilot.campaigns import store
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.agent.conftest import converse
from tests.tools.fixtures import make_ctx
from tools.runner import ToolOutcome, run_tool

NOW = datetime(2026, 11, 25, 15, 0)
SMS = "【朝阳店】周六会员日满500减80,到店出示会员码。回T退订"


def _ask(settings: Settings, members: MemberStore, who: str, tool: str, args: dict, *,
         at: datetime = NOW) -> ToolOutcome:
    ctx = make_ctx(settings, members, who, today=at.date())
    ctx.clock = lambda: at
    return run_tool(ctx, tool, args)


def _scheduled(settings: Settings, members: MemberStore, send_at: str = "现在") -> str:
    _ask(settings, members, "E03", "build_segment",  # once: later calls find it saved
         {"tiers": ["金卡", "银卡"], "save_as": "金银卡"})
    out = _ask(settings, members, "E03", "schedule_campaign",
               {"segment": "金银卡", "text": SMS, "channels": ["sms"], "send_at": send_at})
    assert out.ok, out.error
    return out.result.campaign_id


def test_a_send_time_long_past_cannot_be_confirmed(settings: Settings,
                                                    chain_store: MemberStore) -> None:
    cid = _scheduled(settings, chain_store)  # "现在" at 15:00
    soon = _ask(settings, chain_store, "E03", "confirm_campaign", {"campaign": cid},
                at=NOW + timedelta(minutes=10))
    assert soon.ok  # minutes later is still "now"
    cid = _scheduled(settings, chain_store, "今天下午4点")
    late = _ask(settings, chain_store, "E03", "confirm_campaign", {"campaign": cid},
                at=NOW + timedelta(hours=3))
    assert not late.ok and "已经过了" in late.error and "重新排期" in late.error
    assert store.get(StateStore.from_settings(settings), cid).state == "pending_confirmation"


def test_only_approvers_see_campaigns_waiting_for_them(settings: Settings,
                                                        chain_store: MemberStore) -> None:
    small = settings.model_copy(update={"campaign": settings.campaign.model_copy(
        update={"approval_audience": 1})})
    cid = _scheduled(small, chain_store, "周六上午10点")
    assert _ask(small, chain_store, "E03", "confirm_campaign", {"campaign": cid}).ok
    waiting = {who: _ask(small, chain_store, who, "campaign_status", {"awaiting_me": True})
               for who in ("E05", "E06", "E08", "E03", "E01")}
    assert [c.campaign_id for c in waiting["E05"].result.campaigns] == [cid]  # 华北
    assert [c.campaign_id for c in waiting["E06"].result.campaigns] == [cid]  # admin
    for who in ("E08", "E03", "E01"):  # 华南's supervisor; the requester; a staff member
        assert waiting[who].result.campaigns == [], who


def test_an_expired_confirmation_cancels_the_campaign_whoever_speaks_next(
        settings: Settings, chain_store: MemberStore, monkeypatch) -> None:
    assert _ask(settings, chain_store, "E03", "build_segment",
                {"tiers": ["金卡", "银卡"], "save_as": "金银卡"}).ok
    first = converse(settings, [("E03", "写一条会员日短信 满500减80 这周六"),
                                ("E03", "把这条用短信发给“金银卡”分组 周六上午10点")])
    cid = first[1].tool_calls[0].result["campaign_id"]
    monkeypatch.setattr("copilot.agent.service.expired", lambda *a, **k: True)
    converse(settings, [("E01", "朝阳店上个月复购率多少")])  # E01 speaks in the same thread
    assert store.get(StateStore.from_settings(settings), cid).state == "cancelled"


def test_a_campaign_is_confirmed_by_the_id_its_preview_showed(
        settings: Settings, chain_store: MemberStore) -> None:
    """A model cannot know the id before the preview exists, so confirming by name (an
    older campaign of the same name, say) is refused."""
    cid = _scheduled(settings, chain_store, "周六上午10点")
    name = store.get(StateStore.from_settings(settings), cid).name
    by_name = _ask(settings, chain_store, "E03", "confirm_campaign", {"campaign": name})
    assert not by_name.ok and "活动编号" in by_name.error
    assert _ask(settings, chain_store, "E03", "confirm_campaign", {"campaign": cid}).ok
