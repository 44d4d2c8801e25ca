"""`region_overview` on the small chain of test_diagnose.py (figures worked out there).

March 2024, 华东: repurchase S3 24/40 = 60 %, S2 20/40 = 50 %, S1 8/40 = 20 % (region
52/120 = 43.3 %); churn S2 10/50 = 20 %, S3 10/50 = 20 %, S1 35/75 = 46.7 % (region
55/175 = 31.4 %). 华南 has S4 alone: repurchase 30/40 = 75 %, churn 0 %.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.data.store import MemberStore
from tests.tools.test_diagnose import MARCH, PNG_SIGNATURE, call, load_small_chain


@pytest.fixture
def overview_chain(settings: Settings) -> MemberStore:
    store = MemberStore.from_settings(settings)
    load_small_chain(store)
    return store


def _ranking(result, region: str, key: str):
    reg = next(r for r in result.regions if r.region == region)
    return next(m for m in reg.metrics if m.key == key)


def test_supervisor_defaults_to_own_region_best_first(settings, overview_chain):
    out = call(settings, overview_chain, "SUP1", "region_overview", MARCH)
    assert out.ok, out.error
    r = out.result
    assert [x.region for x in r.regions] == ["华东"] and r.regions[0].stores == 3
    assert [m.key for m in r.regions[0].metrics] == [
        "repurchase_rate", "churn_rate", "conversion_rate", "new_member_share", "avg_ticket"]
    rep = _ranking(r, "华东", "repurchase_rate")
    assert rep.region_value == pytest.approx(52 / 120, abs=1e-6)
    assert [(x.store_id, x.rank, x.abnormal) for x in rep.rows] == [
        ("S3", 1, False), ("S2", 2, False), ("S1", 3, True)]
    assert [x.vs_region for x in rep.rows] == ["+16.7 个百分点", "+6.7 个百分点",
                                               "-23.3 个百分点"]
    churn = _ranking(r, "华东", "churn_rate")  # lower is better; the tie shares rank 1
    assert churn.direction == "lower"
    assert [(x.store_id, x.rank, x.abnormal) for x in churn.rows] == [
        ("S2", 1, False), ("S3", 1, False), ("S1", 3, True)]
    conversion = _ranking(r, "华东", "conversion_rate")  # nobody joined: no rank
    assert all(x.rank is None and x.display == "无数据" for x in conversion.rows)
    text = out.text()
    assert "【华东区 · 3 家门店】" in text and "3. 静安店(S1) 20.0%" in text and "⚠" in text
    assert "越低越好" in text


def test_admin_sees_every_region_and_one_metric(settings, overview_chain):
    r = call(settings, overview_chain, "ADM", "region_overview",
             {"metric": "复购率", **MARCH}).result
    assert r.scope == "全连锁" and [x.region for x in r.regions] == ["华东", "华南"]
    assert all([m.key for m in x.metrics] == ["repurchase_rate"] for x in r.regions)
    south = _ranking(r, "华南", "repurchase_rate")
    assert [(x.store_id, x.value) for x in south.rows] == [("S4", 0.75)]
    named = call(settings, overview_chain, "ADM", "region_overview",
                 {"region": "华南", **MARCH}).result
    assert [x.region for x in named.regions] == ["华南"]


def test_store_staff_and_managers_are_refused_with_what_they_may_see(settings, overview_chain):
    for who in ("E1", "E3"):
        out = call(settings, overview_chain, who, "region_overview", MARCH)
        assert not out.ok
        assert "只能查看本店:静安店(S1)" in out.error and "门店诊断" in out.error
    trainee = call(settings, overview_chain, "TR", "region_overview", MARCH)
    assert not trainee.ok and "培训账号" in trainee.error


def test_supervisor_cannot_rank_another_region(settings, overview_chain):
    out = call(settings, overview_chain, "SUP1", "region_overview", {"region": "华南", **MARCH})
    assert not out.ok and "华南" in out.error and "华东区 3 家门店" in out.error


def test_ranking_chart_saved_as_png(settings, overview_chain):
    r = call(settings, overview_chain, "SUP1", "region_overview",
             {"metric": "流失率", "chart": True, **MARCH}).result
    assert r.chart_rendered
    path = Path(r.chart_path)
    assert path.parent == settings.data_dir / "charts"
    assert path.name.startswith("ranking-churn_rate-") and path.name.isascii()
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert "排名图:" in r.text()
