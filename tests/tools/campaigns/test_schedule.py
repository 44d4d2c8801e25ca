"""schedule_campaign over the small chain: the preview's counts are the rules applied to
known members, the rows written are what the dispatcher will send, and every bad input
is refused in Chinese with nothing written."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from copilot.campaigns import recipients, store
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.conftest import pg_schema_url
from tests.tools.fixtures import make_ctx
from tools.runner import ToolOutcome, run_tool

NOW = datetime(2026, 11, 25, 15, 0)  # a Wednesday, 15:00 in the stores' time
SMS = "【朝阳店】周六会员日满500减80,到店出示会员码。回T退订"


def _ask(settings: Settings, members: MemberStore, tool: str, args: dict,
         who: str = "E03") -> ToolOutcome:
    ctx = make_ctx(settings, members, who)
    ctx.clock = lambda: NOW
    return run_tool(ctx, tool, args)


@pytest.fixture
def gold(settings: Settings, chain_store: MemberStore) -> str:
    """金银卡 of S001: M01 (金卡, WeCom, phone), M02 (银卡, no WeCom), M07 (金卡, opted out)."""
    out = _ask(settings, chain_store, "build_segment",
               {"tiers": ["金卡", "银卡"], "save_as": "金银卡"})
    assert out.ok and out.result.size == 2, out.error  # the opted-out M07 not counted
    return "金银卡"


def _schedule(settings: Settings, members: MemberStore, **args) -> ToolOutcome:
    return _ask(settings, members, "schedule_campaign",
                {"segment": "金银卡", "text": SMS, "send_at": "周六上午10点", **args})


def _rows(settings: Settings, campaign_id: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    with StateStore.from_settings(settings).begin() as conn:
        got = conn.execute(text("SELECT member_id, channel, state, reason FROM "
                                "campaign_recipients WHERE campaign_id = :c"),
                           {"c": campaign_id}).all()
    return {(m, ch): (st, r) for m, ch, st, r in got}


def _campaigns(settings: Settings) -> int:
    with StateStore.from_settings(settings).begin() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM campaigns")).scalar_one()


def test_sms_preview_counts_the_rules_on_known_members(settings, chain_store, gold) -> None:
    out = _schedule(settings, chain_store, channels=["sms"])
    assert out.ok, out.error
    p = out.result
    assert (p.segment_size, p.members_reached, p.state) == (3, 2, "pending_confirmation")
    assert "分组“金银卡”按今天的数据 3 人(含已退订 1 人),实际触达 2 人" in out.text("zh")
    assert p.reach[0].members == 2 and p.reach[0].excluded == {"已退订营销消息": 1}
    assert p.send_at == "2026-11-28 10:00" and p.asked_at == p.send_at
    assert p.sms_segments == 1 and p.cost == round(2 * 0.045, 2)
    assert {m.member_id for m in p.sample} == {"M01", "M02"}
    assert all("*" in (m.phone or "") for m in p.sample)  # masked, whoever asks
    assert _rows(settings, p.campaign_id) == {
        ("M01", "sms"): ("pending", None), ("M02", "sms"): ("pending", None),
        ("M07", "sms"): ("skipped", "已退订营销消息")}
    c = store.get(StateStore.from_settings(settings), p.campaign_id)
    assert (c.audience, c.stores, c.region, c.needs_approval) == (2, ["S001"], "华北", False)


def test_wecom_needs_the_member_added_and_their_external_id(settings, chain_store,
                                                            gold) -> None:
    with chain_store.write() as conn:
        conn.execute(text("UPDATE members SET wecom_external_id = 'wmM01' "
                          "WHERE member_id = 'M01'"))
    out = _schedule(settings, chain_store)  # default channel: WeCom customer mass-send
    assert out.ok, out.error
    assert out.result.reach[0].excluded == {"还没加企业微信": 1, "已退订营销消息": 1}
    assert _rows(settings, out.result.campaign_id)[("M01", "wecom_customer")] == (
        "pending", None)


def test_quiet_hours_move_the_send_to_their_end(settings, chain_store, gold) -> None:
    out = _schedule(settings, chain_store, channels=["sms"], send_at="周六晚上10点")
    assert out.ok, out.error
    assert (out.result.asked_at, out.result.send_at) == ("2026-11-28 22:00",
                                                         "2026-11-29 09:00")
    assert "免打扰" in out.text("zh")


def test_frequency_caps_count_what_was_already_sent(settings, chain_store, gold) -> None:
    capped = settings.model_copy(update={"campaign": settings.campaign.model_copy(
        update={"weekly_cap": 1})})
    state = StateStore.from_settings(settings)
    with state.begin() as conn:  # M01 got an SMS on Monday of the send's week
        recipients.insert(conn, "earlier001", [recipients.Row("M01", "sms", "S001", "E01",
                                                              "sent")])
        conn.execute(text("UPDATE campaign_recipients SET sent_at = :t"),
                     {"t": datetime(2026, 11, 23, 10, 0)})
    out = _schedule(capped, chain_store, channels=["sms"])
    assert out.ok, out.error
    assert out.result.members_reached == 1
    assert _rows(capped, out.result.campaign_id)[("M01", "sms")] == (
        "skipped", "本周已收到 1 条(每周最多 1 条)")
    # the week after, the cap no longer holds
    later = _schedule(capped, chain_store, channels=["sms"], send_at="12月1日上午10点")
    assert later.ok and later.result.members_reached == 2


def test_holdout_is_kept_out_and_stable(settings, chain_store, gold, monkeypatch) -> None:
    # ids for which the 50% split keeps one of M01/M02 out, and for which it keeps both
    one = next(f"{i:010x}" for i in range(1000)
               if recipients.in_holdout(f"{i:010x}", "M01", 0.5)
               != recipients.in_holdout(f"{i:010x}", "M02", 0.5))
    both = next(f"{i:010x}" for i in range(1000)
                if recipients.in_holdout(f"{i:010x}", "M01", 0.5)
                and recipients.in_holdout(f"{i:010x}", "M02", 0.5))
    monkeypatch.setattr(store, "new_id", lambda: both)
    nobody = _schedule(settings, chain_store, channels=["sms"], holdout_share=0.5)
    assert not nobody.ok and "都被随机分进了对照组" in nobody.error
    monkeypatch.setattr(store, "new_id", lambda: one)
    out = _schedule(settings, chain_store, channels=["sms"], holdout_share=0.5)
    assert out.ok, out.error
    rows = _rows(settings, out.result.campaign_id)
    held = {m for (m, _), (st, _) in rows.items() if st == "holdout"}
    assert held == {m for m in ("M01", "M02")
                    if recipients.in_holdout(out.result.campaign_id, m, 0.5)}
    assert len(held) == 1 and out.result.holdout == 1 and out.result.members_reached == 1


def test_above_the_approval_size_it_needs_a_supervisor(settings, chain_store, gold) -> None:
    small = settings.model_copy(update={"campaign": settings.campaign.model_copy(
        update={"approval_audience": 1})})
    out = _schedule(small, chain_store, channels=["sms"])
    assert out.ok and out.result.needs_approval
    assert "督导审批" in out.text("zh")


@pytest.mark.parametrize(("args", "words"), [
    ({"send_at": "2026-11-25 09:00"}, "已经过去"),
    ({"send_at": "昨天"}, "已经过去"),
    ({"send_at": "周六到周日"}, "一段时间"),
    ({"send_at": "下个季度吧"}, "看不懂"),
    ({"text": "全网最低价!史上最强会员日"}, "还不能发"),
    ({"text": "会员日" * 400, "channels": ["sms"]}, "还不能发"),
    ({"segment": "没有这个分组"}, "找不到分组"),
    ({"channels": ["fax"]}, "channels"),
    ({"holdout_share": 0.9}, "holdout_share"),
])
def test_bad_input_is_refused_and_nothing_is_written(settings, chain_store, gold, args,
                                                    words) -> None:
    out = _schedule(settings, chain_store, **args)
    assert not out.ok and words in out.error, out.error
    assert _campaigns(settings) == 0


def test_a_segment_nobody_can_be_reached_in_is_refused(settings, chain_store) -> None:
    out = _ask(settings, chain_store, "build_segment",
               {"tiers": ["银卡"], "save_as": "银卡"})
    assert out.ok
    got = _ask(settings, chain_store, "schedule_campaign",
               {"segment": "银卡", "text": "周六会员日满500减80", "send_at": "周六上午10点"})
    assert not got.ok and "都发不到" in got.error and "还没加企业微信 1" in got.error
    assert _campaigns(settings) == 0


def test_trainees_cannot_schedule(settings, chain_store, gold) -> None:
    out = _ask(settings, chain_store, "schedule_campaign",
               {"segment": "金银卡", "text": SMS}, who="E07")
    assert not out.ok and "培训账号" in out.error


def test_postgres_state_takes_the_rows_by_copy(settings, chain_store, gold,
                                               pg_server) -> None:
    with pg_schema_url(pg_server) as url:
        pg = settings.model_copy(update={"state_url": url})
        # the saved segment lives in the state DB too: save it again there
        assert _ask(pg, chain_store, "build_segment",
                    {"tiers": ["金卡", "银卡"], "save_as": "金银卡"}).ok
        out = _schedule(pg, chain_store, channels=["sms", "slack_dm"])
        assert out.ok, out.error
        rows = _rows(pg, out.result.campaign_id)
        assert len(rows) == 6 and rows[("M07", "slack_dm")] == ("skipped", "已退订营销消息")


def test_group_messages_always_need_approval_and_keep_no_holdout(settings, chain_store,
                                                                 gold) -> None:
    held = _schedule(settings, chain_store, channels=["wecom_group"], holdout_share=0.2)
    assert not held.ok and "没法把对照组" in held.error
    with chain_store.write() as conn:
        conn.execute(text("UPDATE members SET wecom_external_id = 'wmM01' "
                          "WHERE member_id = 'M01'"))
    out = _schedule(settings, chain_store, channels=["wecom_group"])
    assert out.ok and out.result.needs_approval  # 1 member, far under the threshold
    assert "群里不只是这个分组的会员" in out.text("zh")
