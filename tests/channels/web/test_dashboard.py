"""The dashboard: diagnosis, region ranking and segments, each as the signed-in person."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from copilot.channels.web.dashboard import month_bounds
from copilot.config import Settings
from copilot.data.store import MemberStore
from tests.channels.web.conftest import DAY, SignIn
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool

OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


def _section(page: str, name: str) -> str:
    found = re.search(rf'<section class="card[^"]*" id="{name}">(.*?)</section>', page, re.S)
    assert found, f"no section {name}"
    return found.group(1)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_supervisor_sees_diagnosis_ranking_and_segments(client: TestClient, sign_in: SignIn,
                                                         settings: Settings,
                                                         chain_store: MemberStore) -> None:
    saved = run_tool(make_ctx(settings, chain_store, "E05"), "build_segment",
                     {"stores": ["S001"], "tiers": ["金卡"], "save_as": "朝阳金卡"})
    assert saved.ok, saved.error
    sign_in("E05")
    r = client.get(f"/console/dashboard?today={DAY}")
    assert r.status_code == 200
    page = r.text
    assert 'value="2026-10"' in page  # the last full month before 2026-11-25
    assert '<option value="S001" selected>' in page and 'value="S003"' in page
    assert 'value="S010"' not in page  # 广州 is another supervisor's region

    expected = run_tool(make_ctx(settings, chain_store, "E05"), "diagnose_store",
                        {"store": "S001", **OCTOBER, "chart": False}).result
    diagnosis = _section(page, "diagnosis")
    assert expected.headline() in _text(diagnosis)
    for m in expected.metrics:
        assert f"{m.name}:{m.display} / {m.region_display}" in _text(diagnosis)
    chart = re.search(r'id="diagnosis-chart" src="([^"]+)"', diagnosis).group(1)
    png = client.get(chart)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")

    ranking = _text(_section(page, "ranking"))
    overview = run_tool(make_ctx(settings, chain_store, "E05"), "region_overview",
                        {"region": "华北", **OCTOBER}).result
    rows = overview.regions[0].metrics[0].rows
    assert "华北区 · 3 家门店" in ranking and len(rows) == 3
    for row in rows:
        assert row.store in ranking and row.display in ranking
    order = [ranking.index(row.store) for row in rows]
    assert order == sorted(order)  # best first, as the tool ranks them
    ranked = re.search(r'id="ranking-chart" src="([^"]+)"', page).group(1)
    assert client.get(ranked).content.startswith(b"\x89PNG")

    segments = _text(_section(page, "segments"))
    assert "朝阳金卡" in segments and saved.result.saved.segment_id in segments
    campaigns = _section(page, "campaigns")  # test_campaign_approval.py: with campaigns
    assert "活动审批" in campaigns and "没有待你审批的活动" in campaigns
    assert "<button" not in campaigns and "<form" not in campaigns


def test_another_store_and_month_can_be_chosen(client: TestClient, sign_in: SignIn) -> None:
    sign_in("E05")
    page = client.get(f"/console/dashboard?store=S002&month=2026-09&today={DAY}").text
    assert '<option value="S002" selected>' in page and 'value="2026-09"' in page
    assert "北京西单大悦城店(S002) · 2026-09-01 ~ 2026-09-30" in _text(
        _section(page, "diagnosis"))
    assert f'name="today" value="{DAY}"' in page  # the form keeps the replayed day


def test_a_store_outside_the_region_is_refused_by_the_tool(client: TestClient,
                                                           sign_in: SignIn) -> None:
    sign_in("E08")  # 华南 supervisor
    page = client.get(f"/console/dashboard?store=S001&today={DAY}").text
    refusal = _text(_section(page, "diagnosis"))
    assert "没有查看" in refusal and "华南区 1 家门店" in refusal
    assert "活跃会员数" not in refusal


def test_trainee_sees_the_refusal_not_a_crash(client: TestClient, sign_in: SignIn) -> None:
    sign_in("E07")
    r = client.get(f"/console/dashboard?today={DAY}")
    assert r.status_code == 200
    for part in ("diagnosis", "ranking"):
        assert "培训账号不能查看会员数据" in _text(_section(r.text, part))
    assert '<select id="store"' not in r.text
    assert "还没有保存的分组" in _text(_section(r.text, "segments"))


def test_store_manager_sees_own_store_and_why_no_ranking(client: TestClient,
                                                         sign_in: SignIn) -> None:
    sign_in("E03")
    page = client.get(f"/console/dashboard?today={DAY}").text
    assert "北京朝阳大悦城店(S001)" in _text(_section(page, "diagnosis"))
    assert "区域排名会显示其他门店的数据" in _text(_section(page, "ranking"))
    assert page.count("<option ") == 1


def test_bad_dates_are_explained_and_the_default_shown(client: TestClient,
                                                       sign_in: SignIn) -> None:
    sign_in("E05")
    bad_month = client.get(f"/console/dashboard?month=2026-13&today={DAY}")
    assert bad_month.status_code == 200 and "月份应为 YYYY-MM 格式" in bad_month.text
    assert 'value="2026-10"' in bad_month.text
    future = client.get(f"/console/dashboard?month=2027-01&today={DAY}").text
    assert "这个时间还没到" in _text(_section(future, "diagnosis"))
    bad_day = client.get("/console/dashboard?today=2026-02-30")
    assert bad_day.status_code == 200 and "today 应为 YYYY-MM-DD" in bad_day.text


def test_names_are_escaped(client: TestClient, sign_in: SignIn, settings: Settings,
                           chain_store: MemberStore) -> None:
    name = '<img src=x onerror="alert(1)">'
    assert run_tool(make_ctx(settings, chain_store, "E05"), "build_segment",
                    {"stores": ["S001"], "save_as": name}).ok
    sign_in("E05")
    page = client.get(f"/console/dashboard?today={DAY}").text
    assert name not in page and "&lt;img src=x onerror=" in page


@pytest.mark.parametrize("month, today, expected", [
    (None, date(2026, 11, 25), ("2026-10", date(2026, 10, 1), date(2026, 10, 31))),
    (None, date(2026, 1, 1), ("2025-12", date(2025, 12, 1), date(2025, 12, 31))),
    ("2024-2", date(2026, 1, 1), ("2024-02", date(2024, 2, 1), date(2024, 2, 29))),
])
def test_month_bounds(month: str | None, today: date, expected: tuple) -> None:
    assert month_bounds(month, today) == expected
