"""Metric values on the hand-built chain (see handbuilt.py), worked out by hand."""

from __future__ import annotations

import pytest

from copilot.analytics.metrics import compute_metrics
from copilot.analytics.period import Period
from copilot.analytics.scope import resolve_scope
from copilot.config import MetricWindows
from copilot.data.store import MemberStore
from copilot.errors import UserError

MARCH = Period.parse("2024-03-01", "2024-03-31")


@pytest.fixture
def store(handbuilt_store: MemberStore) -> MemberStore:
    return handbuilt_store


def _metrics(db: MemberStore, period: Period = MARCH, **scope: object) -> dict:
    with db.read() as conn:
        report = compute_metrics(conn, resolve_scope(conn, **scope), period, MetricWindows())
    return report.as_json()


def test_store_metrics_by_hand(store: MemberStore) -> None:
    m = _metrics(store, store="S1")
    # S1 in March: T1 100/2u, T2 50/1u (same day as T1), T3 200/3u (23:59:59 on the 31st),
    # T5 60/4u non-member. T4 (April 1st 00:00) and T9 (at S2) are out.
    assert m["avg_ticket"] == pytest.approx(410 / 4)
    assert m["units_per_ticket"] == pytest.approx(10 / 4)
    assert m["member_sales_share"] == pytest.approx(350 / 410, abs=1e-6)
    # Buyers at S1: M1 twice (same day counts twice), M2 once at S1 (her T9 was at S2).
    assert m["active_members"] == 2
    assert m["repurchase_rate"] == pytest.approx(0.5)
    # Homed at S1 by March 31: M1, M2, M4, M6, M7; joined in March: M2, M4.
    assert m["new_member_share"] == pytest.approx(2 / 5)
    # M2 first bought on the 20th (at S2), 10 days after joining; M4 never bought.
    assert m["conversion_rate"] == pytest.approx(0.5)
    # Buyers by the end: M1, M2, M6 (last 180 days before: not churned), M7 (181: churned).
    assert m["churn_rate"] == pytest.approx(1 / 4)
    assert m["details"]["churn_rate"]["numerator"] == 1
    assert m["details"]["churn_rate"]["denominator"] == 4


def test_region_metrics_by_hand(store: MemberStore) -> None:
    m = _metrics(store, region="华东")
    assert m["avg_ticket"] == pytest.approx(480 / 5)  # S1's four plus T9
    assert m["active_members"] == 2
    assert m["repurchase_rate"] == pytest.approx(1.0)  # M2 bought at S1 and S2
    assert m["new_member_share"] == pytest.approx(3 / 6)  # M3 homed at S2 joins the count
    # M3 joined on the 15th, first bought on April 1st: after the end, so not converted.
    assert m["conversion_rate"] == pytest.approx(1 / 3, abs=1e-6)
    assert m["churn_rate"] == pytest.approx(1 / 4)  # M3 had not bought by the end


def test_chain_metrics_by_hand(store: MemberStore) -> None:
    m = _metrics(store, chain=True)
    assert m["details"]["avg_ticket"]["denominator"] == 6
    assert m["member_sales_share"] == pytest.approx(420 / 500)
    assert m["units_per_ticket"] == pytest.approx(2.17)  # 13 / 6 rounded to cents
    # M5 joins on April 5th: not a member of the chain at the end of March.
    assert m["details"]["new_member_share"]["denominator"] == 6


def test_empty_period_gives_no_rate_rather_than_zero(store: MemberStore) -> None:
    m = _metrics(store, Period.parse("2024-02-01", "2024-02-28"), store="S3")
    assert m["active_members"] == 0
    assert m["repurchase_rate"] is None
    assert m["avg_ticket"] is None
    assert m["details"]["avg_ticket"]["denominator"] == 0


def test_windows_are_parameters(store: MemberStore) -> None:
    with store.read() as conn:
        scope = resolve_scope(conn, store="S1")
        report = compute_metrics(conn, scope, MARCH, MetricWindows(churn_days=179))
    churn = next(x for x in report.metrics if x.key == "churn_rate")
    assert churn.value == pytest.approx(2 / 4)  # M6 now counts as churned too
    assert "179" in churn.name and "179" in churn.definition


def test_definitions_are_shown_in_both_languages(store: MemberStore) -> None:
    with store.read() as conn:
        scope = resolve_scope(conn, store="静安店")
        zh = compute_metrics(conn, scope, MARCH, MetricWindows())
        en = compute_metrics(conn, scope, MARCH, MetricWindows(), lang="en")
    assert zh.metrics[2].name == "流失率(近180天无消费)"
    assert "180 days" in en.metrics[2].definition


@pytest.mark.parametrize(
    ("start", "end", "needle"),
    [("2024-03-31", "2024-03-01", "早于"), ("2015-01-01", "2024-12-31", "太长"),
     ("2024-02-30", "2024-03-01", "不存在"), ("2024/3/1", "2024-03-01", "格式不对")],
)
def test_bad_periods_are_clear_errors(start: str, end: str, needle: str) -> None:
    with pytest.raises(UserError, match=needle):
        Period.parse(start, end)


def test_scope_names_resolve_forgivingly_or_suggest(store: MemberStore) -> None:
    with store.read() as conn:
        assert resolve_scope(conn, store="静安").store_ids == ("S1",)
    with store.read() as conn, pytest.raises(UserError, match="静安店"):
        resolve_scope(conn, store="店")
    with store.read() as conn, pytest.raises(UserError, match="华东"):
        resolve_scope(conn, region="华北")
    with store.read() as conn, pytest.raises(UserError, match="只指定一个"):
        resolve_scope(conn, store="S1", chain=True)


def test_store_parts_are_remembered_until_the_next_write(store: MemberStore) -> None:
    from copilot.analytics.by_store import store_parts
    from copilot.data.dataset import set_info

    with store.read() as conn:
        first = store_parts(conn, MARCH, MetricWindows())
        assert store_parts(conn, MARCH, MetricWindows()) is first
        assert store_parts(conn, MARCH, MetricWindows(churn_days=179)) is not first
    with store.write() as conn:
        set_info(conn, note="any write changes the data version")
    with store.read() as conn:
        again = store_parts(conn, MARCH, MetricWindows())
    assert again is not first and again == first


def test_chain_only_parts_match_full_parts_for_the_chain(store: MemberStore) -> None:
    from copilot.analytics import remember
    from copilot.analytics.by_store import store_parts

    remember.forget()
    with store.read() as conn:
        light = store_parts(conn, MARCH, MetricWindows(), chain_only=True)
        full = store_parts(conn, MARCH, MetricWindows())
        assert light.chain() == full.chain()
        with pytest.raises(ValueError, match="not counted for store S1"):
            light.store("S1")
        # once full parts are remembered, a chain-only question reuses them
        assert store_parts(conn, MARCH, MetricWindows(), chain_only=True) is full


def test_one_store_parts_match_full_parts_for_that_store(store: MemberStore) -> None:
    from copilot.analytics import remember
    from copilot.analytics.by_store import store_parts

    remember.forget()
    with store.read() as conn:
        one = store_parts(conn, MARCH, MetricWindows(), only="S1")
        remember.forget()
        full = store_parts(conn, MARCH, MetricWindows())
    assert one.store("S1") == full.store("S1")
    with pytest.raises(ValueError, match="not counted for store S2"):
        one.store("S2")
    with pytest.raises(ValueError, match="not counted for region 华东"):
        one.region("华东")


def test_interval_groups_per_store_follow_the_last_purchase_before_the_end(chain_store) -> None:
    """tests/tools/chain.py as of 2026-11-24: M07 last bought 09-01 (84 days: 潜力),
    M02 08-20 (96 days: 普通), M01 11-20 (4 days: 核心); S002's M04 10-30 (25 days)."""
    from copilot.analytics.by_store import store_parts

    with chain_store.read() as conn:
        parts = store_parts(conn, Period.parse("2026-11-01", "2026-11-24"), MetricWindows())
    s1, s2 = parts.store("S001"), parts.store("S002")
    assert (s1.buyers, s1.potential, s1.ordinary) == (3, 1, 1)
    assert (s2.buyers, s2.potential, s2.ordinary) == (1, 0, 0)
    # M05 (S003) last bought 2025-01-10: churned, in neither group
    s3 = parts.store("S003")
    assert (s3.churned, s3.potential, s3.ordinary) == (1, 0, 0)
