"""`diagnose_store` on a small chain whose every figure is worked out by hand below.

Period: March 2024 (the previous period, in February, has no sales). Every member
joined on 2023-01-01, every ticket is ¥100 for 2 units, every sale is a member's.

华东: S1 静安店 (the weak one), S2 徐汇店, S3 浦东店; 华南: S4 天河店.

              bought in March        churned (one purchase     members  企微
              twice   once   active  on 2023-06-01, >180 d)             added
  S1            8      32      40          35                   75       15
  S2           20      20      40          10                   50       40
  S3           24      16      40          10                   50       40
  S4           30      10      40           0                   40       40

Repurchase (store-level, summed for the region): S1 8/40 = 20 %; 华东 (8+20+24)/120 = 43.33 %.
  Gap 23.33 points (> 3), relative 0.2333/0.4333 = 53.8 %.
  Money at stake = 0.23333 × 40 active × member spend (S1 member sales 8×2×100 + 32×100 =
  ¥4,800 ÷ 40 = ¥120) = ¥1,120.00.
Churn: S1 35/75 = 46.67 %; 华东 (35+10+10)/(75+50+50) = 55/175 = 31.43 %.
  Gap 15.24 points, relative 0.152381/0.314286 = 48.5 %.
  Money at stake = 0.152381 × 75 buyers × spend per not-churned member (4,800 ÷ 40) =
  ¥1,371.43.
So by money churn comes first (1,371.43 > 1,120.00), by relative gap repurchase (53.8 % >
48.5 %). Every other metric equals its region (same ticket, all member sales, no joins) or
beats its benchmark (active members 40 against 0 in the previous period).
企微 added: S1 15/75 = 20 %; 华东 95/175 = 54.29 %: a supported cause of both. No member's
first purchase falls in the new-customer window (2023-11-19 ~ 2024-02-15), so the
second-purchase check has no data; 潜力/普通/退订/归属 shares are 0 % everywhere.
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from copilot.config import Settings
from copilot.data.access import Caller, load_user
from copilot.data.bulk import insert_frame
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from knowledge.playbook import load_playbooks, shipped_playbooks
from tools.base import ToolContext
from tools.diagnose.kpi_tree import Limits, load_tree, parse_tree
from tools.diagnose.signals import NEEDS
from tools.runner import ToolOutcome, run_tool

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TODAY = date(2024, 4, 15)  # 上个月 = March 2024
MARCH = {"start": "2024-03-01", "end": "2024-03-31"}

STORES = pd.DataFrame(
    [("S1", "静安店", "华东", "上海"), ("S2", "徐汇店", "华东", "上海"),
     ("S3", "浦东店", "华东", "上海"), ("S4", "天河店", "华南", "广州")],
    columns=["store_id", "name", "region", "city"]).assign(opened_on=pd.NaT)
STAFF = pd.DataFrame(
    [("E1", "王芳", "S1", "staff", "华东"), ("E2", "李娜", "S2", "staff", "华东"),
     ("E3", "赵敏", "S1", "store_manager", "华东"), ("SUP1", "陈静", None, "supervisor", "华东"),
     ("SUP2", "吴磊", None, "supervisor", "华南"), ("ADM", "刘洋", None, "admin", None),
     ("TR", "孙悦", "S1", "trainee", "华东")],
    columns=["staff_id", "name", "store_id", "role", "region"])
# store → (bought twice in March, once, churned, 企微 added)
SHAPE = {"S1": (8, 32, 35, 15), "S2": (20, 20, 10, 40), "S3": (24, 16, 10, 40),
         "S4": (30, 10, 0, 40)}


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    members, tx = [], []
    for store, (twice, once, churned, wecom) in SHAPE.items():
        kinds = ["twice"] * twice + ["once"] * once + ["churned"] * churned
        for i, kind in enumerate(kinds):
            mid = f"{store}-{i:03d}"
            members.append((mid, f"会员{mid}", f"1380000{len(members):04d}", "女", None,
                            "2023-01-01 10:00", store, None, "普卡", 0, i < wecom, False, None))
            days = {"twice": ["2024-03-05 10:00", "2024-03-20 10:00"],
                    "once": ["2024-03-05 10:00"], "churned": ["2023-06-01 10:00"]}[kind]
            tx += [(f"T{mid}-{n}", mid, store, None, ts, 100.0, 2, "store")
                   for n, ts in enumerate(days)]
    m = pd.DataFrame(members, columns=[
        "member_id", "name", "phone", "gender", "birthday", "joined_at", "store_id",
        "staff_id", "tier", "points", "wecom_added", "opt_out", "note"])
    t = pd.DataFrame(tx, columns=["tx_id", "member_id", "store_id", "staff_id", "ts",
                                  "amount", "units", "channel"])
    return (m.assign(joined_at=pd.to_datetime(m["joined_at"]),
                     birthday=pd.to_datetime(m["birthday"])),
            t.assign(ts=pd.to_datetime(t["ts"])))


def load_small_chain(store: MemberStore) -> None:
    members, tx = _frames()
    with store.write(fresh=True) as conn:
        insert_frame(conn, "stores", STORES)
        insert_frame(conn, "staff", STAFF)
        insert_frame(conn, "members", members)
        insert_frame(conn, "transactions", tx)


def call(settings: Settings, members: MemberStore, staff_id: str, tool: str,
         args: dict) -> ToolOutcome:
    with members.read() as conn:
        user = load_user(conn, staff_id)
    ctx = ToolContext(settings, members, StateStore.from_settings(settings),
                      Caller(user, direct=False), today=TODAY)
    return run_tool(ctx, tool, args)


@pytest.fixture
def diag_chain(settings: Settings) -> MemberStore:
    store = MemberStore.from_settings(settings)
    load_small_chain(store)
    return store


def test_weak_store_abnormal_items_ranked_with_hand_worked_gaps(settings, diag_chain):
    out = call(settings, diag_chain, "SUP1", "diagnose_store", {"store": "静安店", **MARCH})
    assert out.ok, out.error
    r = out.result
    assert (r.store_id, r.region) == ("S1", "华东")
    assert [a.key for a in r.abnormal] == ["churn_rate", "repurchase_rate"]  # by money
    churn, rep = r.abnormal
    assert churn.value == pytest.approx(35 / 75, abs=1e-6)
    assert churn.benchmark_value == pytest.approx(55 / 175, abs=1e-6)
    assert churn.gap == pytest.approx(35 / 75 - 55 / 175, abs=1e-6)  # 15.24 points
    assert churn.relative_gap == pytest.approx((35 / 75 - 55 / 175) / (55 / 175), abs=1e-5)
    assert churn.stake.amount == pytest.approx(1371.43, abs=0.02)
    assert rep.gap == pytest.approx(52 / 120 - 0.2, abs=1e-6)  # 23.33 points
    assert rep.relative_gap == pytest.approx(0.538462, abs=1e-5)
    assert rep.stake.amount == pytest.approx(1120.00, abs=0.02)
    assert (churn.rank, churn.gap_rank, rep.rank, rep.gap_rank) == (1, 2, 2, 1)
    assert churn.benchmark_label == "华东区整体"
    assert churn.tree_path[0] == "销售额" and rep.tree_path[-1] == "复购率"
    lines = {m.key: m for m in r.metrics}
    assert [k for k, m in lines.items() if m.abnormal] == ["repurchase_rate", "churn_rate"]
    assert lines["repurchase_rate"].region == pytest.approx(52 / 120, abs=1e-6)
    assert lines["repurchase_rate"].chain == pytest.approx(82 / 160, abs=1e-6)
    assert lines["active_members"].region == 40 and lines["active_members"].previous == 0
    assert lines["conversion_rate"].value is None  # nobody joined in March


def test_causes_claimed_only_where_the_data_supports_them(settings, diag_chain):
    r = call(settings, diag_chain, "SUP1", "diagnose_store", {"store": "S1", **MARCH}).result
    supported = {(c.metric, c.check) for c in r.causes if c.supported}
    assert supported == {("churn_rate", "wecom_share"), ("repurchase_rate", "wecom_share")}
    wecom = next(c for c in r.causes if c.check == "wecom_share")
    assert (wecom.store_display, wecom.baseline_display) == ("20.0%", "54.3%")  # 15/75, 95/175
    second = next(c for c in r.causes if c.check == "second_purchase_rate")
    assert second.supported is None  # nobody in the new-customer window
    checked = {c.check for c in r.causes if c.supported is False}
    assert {"potential_share", "ordinary_share", "opt_out_share", "owned_share"} <= checked


def test_actions_cite_real_playbook_sections(settings, diag_chain):
    r = call(settings, diag_chain, "SUP1", "diagnose_store", {"store": "S1", **MARCH}).result
    assert [(a.playbook, a.section) for a in r.actions] == [
        ("wecom-add-customers", "步骤"),  # churn's supported cause
        ("churn-recall", "步骤"),
        ("sleeping-member-reactivation", "步骤"),
        ("improve-repurchase-churn", "步骤 > 二、新客:二次购买是分水岭"),
    ]
    assert r.actions[0].because and "企微" in r.actions[0].because
    books = {b.id: b for b in load_playbooks(shipped_playbooks())}
    for c in out_citations(r):
        assert c.title == books[c.playbook].title
        assert _has_section(books[c.playbook], c.section)


def out_citations(result):
    cites = result.citations()
    assert cites, "a diagnosis with actions cites its playbooks"
    return cites


def _has_section(book, section: str) -> bool:
    return any(" > ".join(s.path[:len(section.split(" > "))]) == section for s in book.sections)


def test_every_playbook_section_in_the_tree_exists():
    books = {b.id: b for b in load_playbooks(shipped_playbooks())}
    refs = load_tree().cited()
    assert len(refs) > 10
    for ref in refs:
        assert ref.playbook in books, ref
        assert _has_section(books[ref.playbook], ref.section), ref


def test_every_check_of_the_tree_is_computable():
    tree = load_tree()
    sql = {k for k, v in tree.values.items() if v.sql}
    assert sql == set(NEEDS)
    for metric in tree.metrics.values():
        for cause in metric.causes:
            assert cause.check in tree.values or cause.check in tree.metrics


def test_thresholds_either_limit_and_only_when_worse():
    rate = Limits(points=0.03, relative=0.15)
    assert rate.exceeded(0.031, 0.50, "rate")  # 3.1 points
    assert not rate.exceeded(0.029, 0.50, "rate")  # 2.9 points, 5.8 % relative
    assert rate.exceeded(0.008, 0.05, "rate")  # 0.8 points but 16 % of 5 %
    assert not rate.exceeded(-0.2, 0.50, "rate")  # better, however much
    money = Limits(relative=0.10)
    assert money.exceeded(11, 100, "money") and not money.exceeded(9, 100, "money")


def test_a_rate_gap_within_sampling_noise_is_not_abnormal():
    rate = Limits(points=0.03, relative=0.15, min_z=2.0)
    # 5 points below a 60 % rate: noise over 60 people (2 × sqrt(.6 × .4 / 60) = 12.6
    # points), a signal over 1,000 (2 × 1.55 = 3.1 points).
    assert not rate.exceeded(0.05, 0.60, "rate", n=60)
    assert rate.exceeded(0.05, 0.60, "rate", n=1000)
    assert rate.exceeded(0.05, 0.60, "rate")  # no sample size: thresholds alone


def test_a_metric_may_override_its_unit_limits():
    raw = tomllib.loads((resources.files("tools.diagnose") / "kpi_tree.toml").read_text("utf-8"))
    raw["metrics"]["avg_ticket"]["limits"] = {"relative": 0.5}
    tree = parse_tree(raw)
    assert tree.limits_for("avg_ticket", "money").relative == 0.5
    assert tree.limits_for("units_per_ticket", "ratio").relative == 0.10
    raw["metrics"]["churn_rate"]["causes"][0]["check"] = "no_such_value"
    with pytest.raises(ValueError, match="no_such_value"):
        parse_tree(raw)


def test_chart_saved_as_png(settings, diag_chain):
    r = call(settings, diag_chain, "SUP1", "diagnose_store", {"store": "S1", **MARCH}).result
    assert r.chart_rendered
    path = Path(r.chart_path)
    assert path.parent == settings.data_dir / "charts"
    assert path.name.startswith("diagnosis-S1-") and path.suffix == ".png"
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    # Same content again: the file is reused, not drawn twice.
    mtime = path.stat().st_mtime_ns
    again = call(settings, diag_chain, "SUP1", "diagnose_store", {"store": "S1", **MARCH})
    assert again.result.chart_path == str(path) and path.stat().st_mtime_ns == mtime
    assert not list(path.parent.glob("*.tmp-*"))
    no_chart = call(settings, diag_chain, "SUP1", "diagnose_store",
                    {"store": "S1", "chart": False, **MARCH}).result
    assert no_chart.chart_path is None and not no_chart.chart_rendered


def test_text_reads_for_a_supervisor(settings, diag_chain):
    out = call(settings, diag_chain, "SUP1", "diagnose_store", {"store": "S1"})  # 上个月
    text = out.text()
    assert "静安店(S1)" in text and "2024-03-01 ~ 2024-03-31" in text
    assert "2 项指标异常" in text
    assert "流失率" in text and "华东区整体" in text
    assert "估算" in text and "¥1,371" in text and "¥1,120" in text
    assert "会员企微添加率 本店 20.0%" in text
    assert "《企微加好友" in text and "诊断图:" in text


def test_healthy_store_has_nothing_abnormal(settings, diag_chain):
    r = call(settings, diag_chain, "SUP1", "diagnose_store", {"store": "S2", **MARCH}).result
    assert r.abnormal == [] and r.causes == [] and r.actions == []
    assert "没有明显异常" in r.text()


def test_own_store_staff_get_benchmarks_but_no_other_store(settings, diag_chain):
    mine = call(settings, diag_chain, "E1", "diagnose_store", {"store": "S1", **MARCH})
    assert mine.ok and mine.result.abnormal
    assert "54.3%" in mine.text()  # the region as an aggregate
    other = call(settings, diag_chain, "E2", "diagnose_store", {"store": "静安店", **MARCH})
    assert not other.ok
    assert "没有查看" in other.error and "徐汇店(S2)" in other.error


def test_supervisor_of_another_region_and_trainee_refused(settings, diag_chain):
    south = call(settings, diag_chain, "SUP2", "diagnose_store", {"store": "S1", **MARCH})
    assert not south.ok and "华南区" in south.error
    trainee = call(settings, diag_chain, "TR", "diagnose_store", {"store": "S1", **MARCH})
    assert not trainee.ok and "培训账号" in trainee.error


def test_missing_or_unknown_store_asks_clearly(settings, diag_chain):
    out = call(settings, diag_chain, "SUP1", "diagnose_store", {})
    assert not out.ok and out.error.startswith("请告诉我要诊断哪家门店")
    assert "华东区 3 家门店" in out.error
    unknown = call(settings, diag_chain, "SUP1", "diagnose_store", {"store": "不存在的店"})
    assert not unknown.ok and "找不到门店" in unknown.error
