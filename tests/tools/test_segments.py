"""build_segment and saved segments over the small chain, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.config import Settings
from copilot.data.store import MemberStore
from tests.conftest import pg_schema_url
from tests.tools import chain
from tests.tools.fixtures import make_ctx
from tools.common import birthday_keys
from tools.runner import run_tool

# (spec, members expected for the 华北 supervisor E05, worked out from tests/tools/chain.py)
CASES = [
    ({"tiers": ["金卡"]}, {"M01", "M04"}),  # M07 is 金卡 but opted out
    ({"tiers": ["金卡"], "include_opted_out": True}, {"M01", "M04", "M07"}),
    ({"days_since_min": 90}, {"M02", "M05"}),  # 97 and 684 days; M03 never bought
    ({"days_since_min": 20, "days_since_max": 90, "include_opted_out": True}, {"M04", "M07"}),
    ({"purchases_min": 2}, {"M01", "M04"}),
    ({"purchases_max": 1}, {"M02", "M03", "M05"}),  # never bought counts as 0
    ({"spend_min": 1000, "spend_max": 2500}, {"M01", "M04"}),
    ({"categories": ["外套"]}, {"M01", "M04"}),
    ({"categories": ["鞋履"]}, {"M02", "M04"}),
    ({"tags_any": ["高客单"]}, {"M01", "M04"}),
    ({"tags_all": ["高客单", "法式"]}, {"M04"}),
    ({"tags_none": ["高客单"]}, {"M02", "M03", "M05"}),
    ({"birthday_within_days": 7}, {"M01"}),  # 11-28; M04 is 12-05 (10 days)
    ({"birthday_month": 12}, {"M04"}),
    ({"joined_after": "2025-06-01"}, {"M03", "M04"}),
    ({"wecom_added": False}, {"M02", "M05"}),
    ({"stores": ["西单"]}, {"M04"}),
    ({"interval_groups": ["流失会员", "未消费"]}, {"M03", "M05"}),
    ({"tiers": ["金卡"], "days_since_min": 90, "purchases_min": 2}, set()),
]


def _members(out) -> set[str]:
    assert out.ok, out.error
    return {m.member_id for m in out.result.sample}


@pytest.mark.parametrize(("spec", "expected"), CASES)
def test_segment_filters(ask, spec, expected) -> None:
    out = ask("E05", "build_segment", spec)
    assert _members(out) == expected
    assert out.result.size == len(expected)


def test_preview_breaks_down_masks_and_says_when_empty(ask) -> None:
    out = ask("E05", "build_segment", {"tiers": ["金卡"]})
    assert [(c.key, c.members) for c in out.result.by_store] == [
        ("北京朝阳大悦城店(S001)", 1), ("北京西单大悦城店(S002)", 1)]
    assert [(c.key, c.members) for c in out.result.by_tier] == [("金卡", 2)]
    assert {m.phone for m in out.result.sample} == {"136****2222", "138****1234"}
    empty = ask("E05", "build_segment", {"tiers": ["钻石卡"], "days_since_max": 10})
    assert empty.ok and empty.result.size == 0 and "没有会员符合这些条件" in empty.text()


def test_scope_limits_segments_and_refuses_other_stores(ask) -> None:
    assert _members(ask("E01", "build_segment", {"tags_any": ["高客单"]})) == {"M01"}
    refused = ask("E01", "build_segment", {"stores": ["S002"]})
    assert "没有查看 北京西单大悦城店(S002) 的权限" in refused.error
    assert "没有等级 白金卡" in ask("E05", "build_segment", {"tiers": ["白金卡"]}).error
    assert "下限 5 大于上限 2" in ask("E05", "build_segment",
                                     {"purchases_min": 5, "purchases_max": 2}).error
    assert "不认识的 RFM 分类" in ask("E05", "build_segment", {"rfm_classes": ["超级VIP"]}).error


def test_rfm_classes_match_the_rfm_table(ask, settings, chain_store) -> None:
    from copilot.analytics.rfm import member_rfm_table
    from copilot.analytics.scope import resolve_scope

    with chain_store.read() as conn:
        table = member_rfm_table(conn, resolve_scope(conn, region="华北"), chain.TODAY,
                                 settings.metrics)
    for name in set(table["rfm_class"]):
        want = set(table.loc[table["rfm_class"] == name, "member_id"]) - {"M07"}  # opted out
        got = ask("E05", "build_segment", {"rfm_classes": [name + "客户"]})
        assert _members(got) == want, name


def test_save_list_overlap_refresh_delete(ask) -> None:
    saved = ask("E05", "build_segment", {"tiers": ["金卡"], "save_as": "金卡会员"})
    assert saved.result.saved.name == "金卡会员" and saved.result.saved.size == 2
    dup = ask("E05", "build_segment", {"tiers": ["银卡"], "save_as": "金卡会员"})
    assert "已经有一个叫“金卡会员”的分组" in dup.error
    other = ask("E05", "build_segment", {"purchases_min": 2})
    assert [(o.segment, o.size, o.overlap) for o in other.result.overlaps] == [
        ("金卡会员", 2, 2)]
    listed = ask("E05", "list_segments").result.segments
    assert [s.name for s in listed] == ["金卡会员"] and listed[0].spec.tiers == ["金卡"]
    assert ask("E01", "list_segments").result.segments == []
    assert "只能操作自己保存的分组" in ask("E04", "delete_segment",
                                          {"segment": listed[0].segment_id}).error
    later = ask("E05", "refresh_segment", {"segment": "金卡会员"}, today=date(2027, 1, 10))
    assert later.ok and later.result.saved.as_of == "2027-01-10"
    assert ask("E05", "delete_segment", {"segment": "金卡会员"}).text() == "已删除分组“金卡会员”。"
    assert "找不到分组“金卡会员”" in ask("E05", "refresh_segment", {"segment": "金卡会员"}).error


def test_a_day_before_the_data_end_ignores_later_purchases(ask) -> None:
    # As of 2026-11-10, M01's last purchase is 2026-08-01 (101 days) and T01 (外套) is later.
    out = ask("E05", "build_segment", {"days_since_min": 100}, today=date(2026, 11, 10))
    assert _members(out) == {"M01", "M05"}  # M02: 2026-08-20 is 82 days back
    out = ask("E01", "build_segment", {"categories": ["连衣裙"]}, today=date(2026, 5, 2))
    assert _members(out) == set()  # T02 (08-01) and T01 are later; T03 was 外套 only


def test_birthday_keys_handle_29_february() -> None:
    assert 229 in birthday_keys(date(2027, 2, 25), 7)  # 2027 has no 29 Feb
    assert 229 in birthday_keys(date(2028, 2, 25), 7)  # 2028 does: the real day is in range
    assert 229 not in birthday_keys(date(2028, 2, 20), 7)  # 20..27 Feb


@pytest.mark.postgres
def test_segment_sql_agrees_between_duckdb_and_postgres(settings: Settings, chain_store,
                                                        pg_server: str) -> None:
    duck = make_ctx(settings, chain_store, "E06")
    with pg_schema_url(pg_server) as url:
        pg_store = MemberStore(url)
        try:
            chain.load(pg_store)
            pg = make_ctx(settings.model_copy(update={"database_url": url}), pg_store, "E06")
            for spec, _ in [*CASES, ({"rfm_classes": ["重要价值", "一般挽留"]}, None)]:
                a = run_tool(duck, "build_segment", spec)
                b = run_tool(pg, "build_segment", spec)
                assert a.ok and b.ok, (a.error, b.error)
                assert a.result.as_json() == b.result.as_json(), spec
        finally:
            pg_store.close()


def test_sample_is_masked_even_one_to_one_and_bad_values_are_refused(ask) -> None:
    out = ask("E03", "build_segment", {"tiers": ["金卡"]}, direct=True)  # S001's manager
    assert {m.phone for m in out.result.sample} == {"138****1234"}
    assert "joined_before" in ask("E05", "build_segment", {"joined_before": "9999-12-31"}).error
    assert "spend_max" in ask("E05", "build_segment", {"spend_max": 1e309}).error
    assert "save_as" in ask("E05", "build_segment", {"save_as": "   "}).error
    unknown = ask("E05", "build_segment", {"rfm": ["重要价值"]}).error
    assert "rfm 不认识这个参数" in unknown and "可用参数:" in unknown and "rfm_classes" in unknown
    both = ask("E05", "build_segment", {"purchases_min": 5, "purchases_max": 2}).error
    assert both == "参数有误:消费笔数的下限 5 大于上限 2。"


def test_admin_refresh_counts_what_the_owner_may_see(ask) -> None:
    ask("E04", "build_segment", {"tiers": ["金卡"], "save_as": "我的金卡"})  # S002: M04 only
    seg = ask("E06", "list_segments", {"everyone": True}).result.segments[0]
    refreshed = ask("E06", "refresh_segment", {"segment": seg.segment_id})
    assert refreshed.ok and refreshed.result.size == 1
    assert ask("E04", "list_segments").result.segments[0].size == 1
    assert "已刷新“我的金卡”" in refreshed.text()
