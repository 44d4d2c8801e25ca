"""member_metrics over the small chain: values, comparisons, definitions, bad input."""

from __future__ import annotations

import pytest


def test_store_metrics_with_region_chain_and_previous(ask) -> None:
    # November 1-24 at S001: tickets T01 (500, 2 units) and T12 (80, walk-in): sales 580,
    # 2 tickets, 3 units; one active member (M01, once).
    out = ask("E01", "member_metrics", {"store": "朝阳店", "start": "2026-11-01",
                                        "end": "2026-11-24", "compare": ["region", "chain"]})
    assert out.ok, out.error
    r = {row.key: row for row in out.result.rows}
    assert out.result.scope == "北京朝阳大悦城店(S001)"
    assert (r["active_members"].value, r["repurchase_rate"].value) == (1, 0.0)
    assert (r["avg_ticket"].value, r["avg_ticket"].display) == (290.0, "¥290.00")
    assert r["units_per_ticket"].value == 1.5
    share = r["member_sales_share"]
    assert (share.numerator, share.denominator) == (500, 580)
    # 华北 in November: T01 (S001, 500) + T12 (80); T08 is in 华南. Chain adds T08 (100).
    region = r["avg_ticket"].comparisons[0]
    chain = r["avg_ticket"].comparisons[1]
    assert (region.label, region.value) == ("华北区门店合计", 290.0)
    assert (chain.label, chain.value, chain.delta) == ("全连锁门店合计", 226.67, "+27.9%")  # 680/3
    assert "销售额 ÷ 交易笔数" in r["avg_ticket"].definition


def test_named_metrics_and_relative_period_with_previous(ask) -> None:
    out = ask("E05", "member_metrics", {"region": "华北区", "period": "上个月",
                                        "metrics": ["客单价", "repurchase"],
                                        "compare": ["previous", "last_year"]})
    assert out.ok, out.error
    assert [row.key for row in out.result.rows] == ["repurchase_rate", "avg_ticket"]
    assert (out.result.start, out.result.end) == ("2026-10-01", "2026-10-31")
    ticket = out.result.rows[1]
    # October in 华北: only T05 (1000, S002). September (previous month): T09 (2000).
    assert ticket.value == 1000.0
    prev, last = ticket.comparisons
    assert prev.label == "上期(2026-09-01 ~ 2026-09-30)" and prev.value == 2000.0
    assert last.label.startswith("去年同期(2025-10-01") and last.value is None
    assert last.display == "无数据"
    assert "上个月" in out.text() and "口径" in out.text()


def test_scope_refusals_and_bad_input(ask) -> None:
    refused = ask("E01", "member_metrics", {"store": "S002"})
    assert refused.error == ("你(导购)没有查看 北京西单大悦城店(S002) 的权限;"
                             "你可以查看:北京朝阳大悦城店(S001)。")
    assert "没有“毛利率”这个指标" in ask("E01", "member_metrics", {"metrics": ["毛利率"]}).error
    assert "结束日期 2026-10-01 早于开始日期" in ask(
        "E01", "member_metrics", {"start": "2026-11-01", "end": "2026-10-01"}).error
    assert "太长" in ask("E06", "member_metrics", {"start": "2016-01-01",
                                                  "end": "2026-01-01", "chain": True}).error
    assert "看不懂时间" in ask("E01", "member_metrics", {"period": "很久以前"}).error
    assert "还没到" in ask("E01", "member_metrics", {"period": "下个月"}).error
    ambiguous = ask("E06", "member_metrics", {"store": "大悦城"}).error
    assert "北京朝阳大悦城店(S001)" in ambiguous and "北京西单大悦城店(S002)" in ambiguous
    assert "门店、区域、全连锁只能选一个" in ask(
        "E06", "member_metrics", {"store": "S001", "chain": True}).error


def test_empty_period_is_no_data_not_zero(ask) -> None:
    out = ask("E01", "member_metrics", {"start": "2024-01-01", "end": "2024-01-31"})
    assert out.ok
    r = {row.key: row for row in out.result.rows}
    assert r["repurchase_rate"].value is None and r["repurchase_rate"].display == "无数据"
    assert any("交易数据覆盖" in n for n in out.result.notes)


def test_periods_in_words_resolve_against_today(ask) -> None:
    for words, start, end in (("国庆期间", "2026-10-01", "2026-10-07"),
                              ("last week", "2026-11-16", "2026-11-22"),
                              ("本季度", "2026-10-01", "2026-11-24"),
                              ("最近90天", "2026-08-27", "2026-11-24")):
        out = ask("E01", "member_metrics", {"period": words, "metrics": ["客单价"]})
        assert out.ok, (words, out.error)
        assert (out.result.start, out.result.end) == (start, end), words


@pytest.mark.parametrize(("words", "needle"), [
    ("今年上半年", "只看懂了“今年”,“上半年”不明白"),
    ("前三季度", "“前”不明白"),
    ("3月5日至3月1日", "结束日期 2026-03-01 早于开始日期 2026-03-05"),
])
def test_partly_understood_periods_are_refused_not_guessed(ask, words, needle) -> None:
    out = ask("E01", "member_metrics", {"period": words})
    assert not out.ok and needle in out.error


def test_ranges_in_words_and_explicit_dates_follow_the_same_rules(ask) -> None:
    out = ask("E01", "member_metrics", {"period": "9月到10月"})
    assert (out.result.start, out.result.end) == ("2026-09-01", "2026-10-31")
    clipped = ask("E01", "member_metrics", {"start": "2026-11-01", "end": "2026-12-31"})
    assert clipped.result.end == "2026-11-24" and "截至昨天" in clipped.result.period
    future = ask("E01", "member_metrics", {"start": "2026-12-01", "end": "2026-12-31"})
    assert "这个时间还没到" in future.error
    for bad in ("0001-01-01", "9999-12-31"):
        out = ask("E01", "member_metrics", {"start": bad, "end": bad})
        assert "日期应在 1990-01-01 到 2100-12-31 之间" in out.error, out.error


def test_counts_compare_with_the_per_store_average(ask) -> None:
    out = ask("E01", "member_metrics", {"start": "2026-11-01", "end": "2026-11-24",
                                        "metrics": ["活跃会员数"], "compare": ["region"]})
    # 华北 has three stores; their own active members add up to 1 (M01 at S001).
    assert out.result.rows[0].comparisons[0].value == 0.3
    assert "人数类指标按同样门店数折算" in out.text()
