"""campaign_review on a hand-built campaign: every figure worked out by hand below.

Campaign "双11召回" (by E01, staff of S001, 华北), SMS, first send 2026-11-01 10:00.
Sent: S01–S40 (S01–S20 at 10:00, S21–S40 at 11:00); held out: H01–H40; two skipped at
the preview never count; X03, chosen but failed at send time, counts with the sent group
(the holdout was drawn from everyone chosen), from the first send, buying nothing. In the
14-day windows:
  sent   S01–S10 buy ¥200 on 11-05 (S01 again ¥100 on 11-10), S23 returns ¥50 on 11-06;
         not counted: S21 at 11-01 10:30 (before their own send), S22 at 11-15 12:00
         (after their window closed at 11-15 11:00)
  holdout H01–H04 buy ¥150 on 11-03; H05 at 11-15 10:30 is after its window (11-15 10:00)
Before the campaign (10-18 10:00 to 11-01 10:00): S11–S13 and H06–H07 bought; S14 at
10-18 09:00 is just outside.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text

from copilot.config import Settings, get_settings
from copilot.data.bulk import insert_frame
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.state.db import StateStore
from tests.tools import chain
from tests.tools.fixtures import make_ctx
from tools.campaigns.review import TOOL, ReviewArgs
from tools.campaigns.review_result import ReviewResult

TODAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 1, 10, 0)
CID = "c0ffee0001"
SENT = [f"S{i:02d}" for i in range(1, 41)]
HELD = [f"H{i:02d}" for i in range(1, 41)]


def _members(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"member_id": ids, "name": "会员", "phone": None, "gender": "女",
                         "birthday": pd.NaT, "joined_at": pd.Timestamp("2025-01-01"),
                         "store_id": "S001", "staff_id": "E01", "tier": "普卡", "points": 0,
                         "wecom_added": True, "opt_out": False, "note": None})


def _purchases() -> pd.DataFrame:
    rows = [(m, "2026-11-05 12:00", 200.0) for m in SENT[:10]]
    rows += [("S01", "2026-11-10 12:00", 100.0), ("S23", "2026-11-06 12:00", -50.0),
             ("S21", "2026-11-01 10:30", 300.0), ("S22", "2026-11-15 12:00", 300.0)]
    rows += [(m, "2026-11-03 12:00", 150.0) for m in HELD[:4]]
    rows += [("H05", "2026-11-15 10:30", 150.0)]
    rows += [(m, "2026-10-20 12:00", 80.0) for m in SENT[10:13]]
    rows += [(m, "2026-10-25 12:00", 80.0) for m in HELD[5:7]]
    rows += [("S14", "2026-10-18 09:00", 80.0)]
    return pd.DataFrame({"tx_id": [f"T{i:03d}" for i in range(len(rows))],
                         "member_id": [r[0] for r in rows], "store_id": "S001",
                         "staff_id": "E01", "ts": pd.to_datetime([r[1] for r in rows]),
                         "amount": [r[2] for r in rows], "units": 1, "channel": "store"})


def load_members(store: MemberStore) -> None:
    with store.write(fresh=True) as conn:
        insert_frame(conn, "stores", chain.STORES)
        insert_frame(conn, "staff", chain.STAFF)
        insert_frame(conn, "members", _members(SENT + HELD + ["X01", "X02", "X03"]))
        insert_frame(conn, "transactions", _purchases())


def add_campaign(state: StateStore, cid: str = CID, *, name: str = "双11召回",
                 status: str = "done", channel: str = "sms", by: str = "E01",
                 stores: str = '["S001"]', sent: list[str] = SENT, held: list[str] = HELD,
                 content: str = "【品牌】双11会员专享,到店满500减80,回T退订") -> None:
    """The campaign row and its recipients, written as the dispatcher leaves them."""
    with state.begin() as conn:
        conn.execute(text(
            "INSERT INTO campaigns (campaign_id, name, state, created_by, region, stores, "
            "segment, content, channels, send_at, holdout_share, audience, needs_approval, "
            "created_at, updated_at) VALUES (:id, :name, :state, :by, '华北', :stores, "
            "'{\"name\": \"金卡\"}', :content, :channels, :send_at, 0.5, :n, false, :at, :at)"),
            {"id": cid, "name": name, "state": status, "by": by, "stores": stores,
             "content": content, "channels": f'["{channel}"]', "send_at": T0,
             "n": len(sent), "at": T0 - timedelta(days=2)})
        rows = [(m, channel, "sent", T0 + timedelta(hours=i >= 20)) for i, m in enumerate(sent)]
        if sent[1:2]:  # a second channel for one member: still one member, sent at 10:00
            other = "wecom_customer" if channel == "sms" else "slack_dm"
            rows.append((sent[1], other, "sent", T0 + timedelta(minutes=5)))
        rows += [(m, channel, "holdout", None) for m in held]
        rows += [("X01", channel, "skipped", None), ("X02", channel, "skipped", None),
                 ("X03", channel, "failed", None)]
        conn.execute(text(
            "INSERT INTO campaign_recipients (campaign_id, member_id, channel, store_id, "
            "state, sent_at) VALUES (:c, :m, :ch, 'S001', :s, :at)"),
            [{"c": cid, "m": m, "ch": ch, "s": s, "at": at} for m, ch, s, at in rows])


Review = Callable[..., ReviewResult]


def _reviewer(settings: Settings, members: MemberStore) -> Review:
    def review(staff: str = "E01", today: date = TODAY, **args: Any) -> ReviewResult:
        ctx = make_ctx(settings, members, staff, today=today)
        return TOOL.run(ctx, ReviewArgs.model_validate({"campaign": CID, **args}))
    return review


@pytest.fixture
def members(settings: Settings) -> MemberStore:
    store = MemberStore.from_settings(settings)
    load_members(store)
    add_campaign(StateStore.from_settings(settings))
    return store


@pytest.fixture
def review(settings: Settings, members: MemberStore) -> Review:
    return _reviewer(settings, members)


def _p_value(b1: int, n1: int, b2: int, n2: int) -> float:
    p = (b1 + b2) / (n1 + n2)
    z = (b1 / n1 - b2 / n2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return round(math.erfc(abs(z) / math.sqrt(2)), 4)


def _check_full_figures(r: ReviewResult) -> None:
    assert r.complete and r.verdict == "measured"
    assert (r.send_start, r.window_end) == ("2026-11-01 10:00", "2026-11-15 11:00")
    assert (r.baseline_start, r.baseline_end) == ("2026-10-18 10:00", "2026-11-01 10:00")
    assert r.recipient_states == {"sent": 40, "holdout": 40, "skipped": 2, "failed": 1}
    s, h = r.sent, r.holdout
    assert h is not None
    assert (s.members, s.buyers, s.orders, s.revenue) == (41, 10, 11, 2050.0)
    assert (h.members, h.buyers, h.orders, h.revenue) == (40, 4, 4, 600.0)
    assert (s.conversion, h.conversion) == (10 / 41, 4 / 40)
    assert (s.revenue_per_member, h.revenue_per_member) == (2050 / 41, 600 / 40)
    assert (s.natural_conversion, h.natural_conversion) == (3 / 41, 2 / 40)
    assert r.natural_conversion == 5 / 81
    assert math.isclose(r.lift_pp, (10 / 41 - 4 / 40) * 100, abs_tol=0.01)
    assert math.isclose(r.lift_relative, (10 / 41) / (4 / 40) - 1, abs_tol=0.001)
    assert r.p_value == _p_value(10, 41, 4, 40)
    assert r.incremental_sales == round((50.0 - 15.0) * 41, 2) == 1435.0
    assert (r.cost.sms_messages, r.cost.sms_segments, r.cost.sms_cost) == (40, 1, 1.8)
    assert (r.cost.other_cost, r.cost.total) == (100.0, 101.8)
    assert r.roi == round(1435 / 101.8, 2) == 14.1


def test_figures_match_the_hand_computation(review: Review) -> None:
    r = review(cost=100)
    _check_full_figures(r)
    out = r.text()
    for part in ("活动复盘:“双11召回”", "发送组 41 人:活动转化率 24.4%(10 人购买,11 笔)",
                 "对照组 40 人(留出未发送):转化率 10.0%",
                 "自然转化率(同一批会员活动前同样时长 2026-10-18 10:00 ~ 2026-11-01 10:00)",
                 "其中发送组 7.3%", "名单(人):已发送 40、对照组 40、规则跳过 2、发送失败 1",
                 "+14.4 个百分点,相对提升 +143.9%", "增量销售", "¥1,435.00",
                 "短信 40 条 × 1 段", "合计 ¥101.80", "ROI(增量销售 ÷ 成本):14.1"):
        assert part in out, part
    assert "阶段数据" not in out
    assert r.as_json()["roi"] == 14.1


@pytest.mark.postgres
def test_the_same_figures_on_postgresql(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPILOT_DATABASE_URL", pg_url)
    settings = get_settings()
    store = MemberStore.from_settings(settings)
    try:
        load_members(store)
        add_campaign(StateStore.from_settings(settings))
        _check_full_figures(_reviewer(settings, store)(cost=100))
    finally:
        store.close()


def test_found_by_name_and_by_id_in_capitals(review: Review) -> None:
    assert review(campaign="双11召回").sent.buyers == 10
    assert review(campaign=CID.upper()).campaign_id == CID


@pytest.mark.parametrize("staff", ["E01", "E03", "E05", "E06"])
def test_requester_manager_supervisor_and_admin_may_review(review: Review, staff: str) -> None:
    assert review(staff).sent.members == 41


@pytest.mark.parametrize(("staff", "why"), [
    ("E02", "你(导购)不能查看活动 c0ffee0001 的复盘"),  # same store, not the requester
    ("E04", "你(导购)不能查看活动 c0ffee0001 的复盘"),  # another store
    ("E08", "你(督导)不能查看活动 c0ffee0001 的复盘"),  # another region's supervisor
    ("E07", "培训账号不能查看会员数据"),
])
def test_others_are_refused_in_chinese(review: Review, staff: str, why: str) -> None:
    with pytest.raises(UserError, match=re.escape(why)):
        review(staff)


def test_others_do_not_find_it_by_name(review: Review) -> None:
    with pytest.raises(UserError, match=re.escape("找不到你能查看的活动“双11召回”")):
        review("E04", campaign="双11召回")


def test_unknown_campaign(review: Review) -> None:
    with pytest.raises(UserError, match=re.escape("找不到你能查看的活动“春季上新”")):
        review(campaign="春季上新")


def test_a_campaign_not_sent_yet_has_no_review(settings: Settings, review: Review) -> None:
    add_campaign(StateStore.from_settings(settings), "c0ffee0002", name="周末会员日",
                 status="scheduled", sent=[], held=[])
    with pytest.raises(UserError, match=re.escape("活动“周末会员日”还没有发送(现在是已排期)")):
        review(campaign="c0ffee0002")


def test_window_not_over_gives_partial_figures_with_its_end(review: Review) -> None:
    r = review(today=date(2026, 11, 10))  # data through 11-09
    assert not r.complete and r.data_through == "2026-11-09" and r.elapsed_days == 8.59
    assert r.window_end == "2026-11-15 11:00"
    # S01's second purchase (11-10) is not in yet; the baseline is as long as the part of
    # the window that has passed (8 days 14 hours), so the sent members' 10-20 purchases
    # fall before it and the held-out members' 10-25 ones inside it.
    assert (r.sent.buyers, r.sent.orders, r.sent.revenue) == (10, 10, 1950.0)
    assert (r.baseline_start, r.baseline_end) == ("2026-10-23 20:00", "2026-11-01 10:00")
    assert (r.sent.natural_buyers, r.holdout.natural_buyers) == (0, 2)  # type: ignore[union-attr]
    assert r.incremental_sales == round((1950 / 41 - 600 / 40) * 41, 2)
    out = r.text()
    assert "【阶段数据】观察窗口还没结束(到 2026-11-15 11:00 结束)" in out
    assert "截至 2026-11-09 的部分数据" in out and "(阶段)增量销售" in out


def test_on_the_day_of_the_send_there_is_nothing_to_count_yet(review: Review) -> None:
    r = review(today=date(2026, 11, 1))
    assert not r.complete and r.elapsed_days == 0
    assert (r.lift_pp, r.incremental_sales, r.natural_conversion) == (None, None, None)
    assert "还没有一整天的销售数据" in r.text() and "提升" not in r.text()


def test_no_holdout_compares_with_the_natural_rate_only(settings: Settings,
                                                       review: Review) -> None:
    add_campaign(StateStore.from_settings(settings), "c0ffee0003", name="无对照", held=[])
    r = review(campaign="c0ffee0003", cost=100)
    assert r.verdict == "no_holdout" and r.holdout is None
    assert (r.lift_pp, r.incremental_sales, r.roi, r.p_value) == (None, None, None, None)
    assert r.sent.conversion == 10 / 41 and r.natural_conversion == 3 / 41
    out = r.text()
    assert "没有对照组" in out and "无法测算活动带来的提升和增量销售" in out
    assert "活动转化率 24.4% vs 发送组自然转化率 7.3%(+17.1 个百分点)" in out
    assert "ROI:没有可靠的增量销售,无法计算" in out


def test_a_tiny_holdout_is_too_small_to_conclude(settings: Settings, review: Review) -> None:
    add_campaign(StateStore.from_settings(settings), "c0ffee0004", name="小对照",
                 held=HELD[:5])
    r = review(campaign="c0ffee0004")
    assert r.verdict == "small_holdout"
    assert r.holdout is not None and (r.holdout.members, r.holdout.buyers) == (5, 4)
    assert (r.lift_pp, r.incremental_sales, r.roi) == (None, None, None)
    assert "对照组只有 5 人(少于 30 人),样本太小" in r.text()


def test_wecom_costs_nothing_so_roi_needs_a_cost(settings: Settings, review: Review) -> None:
    add_campaign(StateStore.from_settings(settings), "c0ffee0005", name="企微召回",
                 channel="wecom_customer")
    free = review(campaign="c0ffee0005")
    assert (free.cost.sms_messages, free.cost.total, free.roi) == (0, 0.0, None)
    assert free.incremental_sales == 1435.0
    assert "成本为 0,无法计算" in free.text()
    assert review(campaign="c0ffee0005", cost=500).roi == round(1435 / 500, 2)


def test_window_days_are_bounded() -> None:
    for bad in (0, 91):
        with pytest.raises(ValueError):
            ReviewArgs(campaign=CID, window_days=bad)
