"""RFM, interval groups, tiers and the CLV export on the hand-built chain."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from lifetimes.utils import summary_data_from_transaction_data

from copilot.analytics.clv import clv_summary
from copilot.analytics.rfm import compute_rfm, member_rfm_table
from copilot.analytics.scope import resolve_scope
from copilot.config import MetricWindows
from copilot.data.store import MemberStore
from tests.analytics import handbuilt

END = date(2024, 3, 31)


@pytest.fixture
def store(handbuilt_store: MemberStore) -> MemberStore:
    return handbuilt_store


def test_member_scores_by_hand(store: MemberStore) -> None:
    with store.read() as conn:
        table = member_rfm_table(conn, resolve_scope(conn, store="S1"), END, MetricWindows())
    got = table.set_index("member_id")
    # Buyers homed at S1 (purchases anywhere up to Mar 31):
    #   M1 last 03-01 (30 d), 3 purchases, 190 · M2 last 03-31 (0 d), 2, 270
    #   M6 last 2023-10-03 (180 d), 2, 390    · M7 last 2023-10-02 (181 d), 1, 30
    assert got.loc["M1", ["recency_days", "purchases", "spend"]].tolist() == [30, 3, 190.0]
    # score = 1 + floor(5 (rank-1) / 4); M2 and M6 tie on frequency and share rank 2.
    assert got["r_score"].to_dict() == {"M1": 3, "M2": 4, "M6": 2, "M7": 1}
    assert got["f_score"].to_dict() == {"M1": 4, "M2": 2, "M6": 2, "M7": 1}
    assert got["m_score"].to_dict() == {"M1": 2, "M2": 3, "M6": 4, "M7": 1}
    assert got["rfm_class"].to_dict() == {
        "M1": "一般价值", "M2": "重要发展", "M6": "重要挽留", "M7": "一般挽留",
    }
    assert "M4" not in got.index  # never bought: no RFM, counted as 未消费 instead


def test_summary_by_hand(store: MemberStore) -> None:
    with store.read() as conn:
        report = compute_rfm(conn, resolve_scope(conn, store="S1"), END, MetricWindows())
    classes = {b.name: b.members for b in report.rfm_classes}
    assert report.buyers == 4
    assert classes["重要发展"] == 1 and classes["重要价值"] == 0 and sum(classes.values()) == 4
    groups = {b.name: b.members for b in report.interval_groups}
    assert groups == {"核心会员": 2, "潜力会员": 0, "普通会员": 1, "流失会员": 1, "未消费会员": 1}
    tiers = {b.name: (b.members, b.monetary) for b in report.tiers}
    assert tiers == {"金卡": (1, 190.0), "银卡": (2, 420.0), "普卡": (2, 270.0)}
    assert [b.name for b in report.tiers] == ["金卡", "银卡", "普卡"]  # pyramid order


def test_thresholds_are_configurable(store: MemberStore) -> None:
    windows = MetricWindows(core_days=29, rfm_high_score=4)
    with store.read() as conn:
        report = compute_rfm(conn, resolve_scope(conn, store="S1"), END, windows)
    groups = {b.name: b.members for b in report.interval_groups}
    assert groups["核心会员"] == 1 and groups["潜力会员"] == 1  # M1 at 30 days moves down
    assert report.thresholds["rfm_high_score"] == 4


def _lifetimes(tx: pd.DataFrame, end: date) -> pd.DataFrame:
    member_tx = tx[tx["member_id"].notna()].assign(ts=lambda d: pd.to_datetime(d["ts"]))
    out = summary_data_from_transaction_data(
        member_tx, "member_id", "ts", monetary_value_col="amount",
        observation_period_end=pd.Timestamp(end), freq="D",
    )
    return out.reset_index().rename(columns={"member_id": "member_id"})


def test_clv_columns_match_lifetimes(store: MemberStore) -> None:
    with store.read() as conn:
        ours = clv_summary(conn, resolve_scope(conn, chain=True), END).set_index("member_id")
    theirs = _lifetimes(handbuilt.TRANSACTIONS, END).set_index("member_id")
    pd.testing.assert_frame_equal(
        ours.sort_index()[["frequency", "recency", "T", "monetary_value"]],
        theirs.sort_index()[["frequency", "recency", "T", "monetary_value"]],
        check_names=False,
    )
    # M1: days 02-29, 03-01 (100+50 same day) -> one repeat day worth 150.
    assert ours.loc["M1", "monetary_value"] == pytest.approx(150.0)


def test_overview_matches_separate_calls(store: MemberStore) -> None:
    from copilot.analytics.metrics import compute_metrics
    from copilot.analytics.overview import compute_overview
    from copilot.analytics.period import Period

    period = Period.parse("2024-03-01", "2024-03-31")
    with store.read() as conn:
        scope = resolve_scope(conn, region="华东")
        metrics, rfm = compute_overview(conn, scope, period, MetricWindows())
        assert metrics == compute_metrics(conn, scope, period, MetricWindows())
        assert rfm == compute_rfm(conn, scope, END, MetricWindows())


def test_clv_columns_match_lifetimes_on_the_small_demo(settings) -> None:
    from copilot.data.demo import build_demo, generate

    end = date(2025, 6, 30)
    store = MemberStore.from_settings(settings)
    build_demo(store, size="small", seed=5, end=end)
    tx = generate("small", seed=5, end=end).transactions
    with store.read() as conn:
        ours = clv_summary(conn, resolve_scope(conn, chain=True), end).set_index("member_id")
    theirs = _lifetimes(tx.assign(amount=tx["amount"].astype(float)), end).set_index("member_id")
    assert len(ours) > 1000
    cols = ["frequency", "recency", "T", "monetary_value"]
    pd.testing.assert_frame_equal(ours.sort_index()[cols], theirs.sort_index()[cols],
                                  check_names=False, check_index_type=False, rtol=1e-9)


def test_rfm_from_derived_member_stats_matches_the_transactions(settings, monkeypatch) -> None:
    """At or after the last day of data the rollup reads member_stats; same answer."""
    from copilot.analytics.facts import facts_as_of
    from copilot.data.demo import build_demo

    demo = MemberStore.from_settings(settings)
    build_demo(demo, "small", seed=3, end=date(2025, 12, 31))
    with demo.read() as conn:
        as_of = facts_as_of(conn)
        assert as_of == date(2025, 12, 31)
        scope = resolve_scope(conn, chain=True)
        cached = compute_rfm(conn, scope, as_of, MetricWindows())
        table = member_rfm_table(conn, scope, as_of, MetricWindows())
        monkeypatch.setattr("copilot.analytics.rollup.facts_as_of", lambda _conn: None)
        assert compute_rfm(conn, scope, as_of, MetricWindows()) == cached
        pd.testing.assert_frame_equal(member_rfm_table(conn, scope, as_of, MetricWindows()),
                                      table)
    assert cached.buyers > 100
