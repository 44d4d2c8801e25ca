"""`copilot metrics` and `copilot rfm` end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from copilot.cli.main import app
from copilot.data.store import MemberStore

runner = CliRunner()

KEYS = {"active_members", "repurchase_rate", "churn_rate", "conversion_rate",
        "new_member_share", "member_sales_share", "avg_ticket", "units_per_ticket"}


@pytest.fixture
def loaded(handbuilt_store: MemberStore) -> MemberStore:
    return handbuilt_store


def test_metrics_json(loaded: MemberStore) -> None:
    result = runner.invoke(app, ["metrics", "--store", "S1", "--start", "2024-03-01",
                                 "--end", "2024-03-31", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= KEYS
    assert data["repurchase_rate"] == 0.5 and data["active_members"] == 2
    assert data["details"]["churn_rate"]["definition"].startswith("归属本范围门店")


def test_metrics_table_shows_definitions(loaded: MemberStore) -> None:
    result = runner.invoke(app, ["metrics", "--region", "华东", "--start", "2024-03-01",
                                 "--end", "2024-03-31"])
    assert result.exit_code == 0, result.output
    assert "流失率(近180天无消费)" in result.output and "¥96.00" in result.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--store", "S9", "--start", "2024-03-01", "--end", "2024-03-31"], "找不到门店"),
        (["--chain", "--start", "2024-03-31", "--end", "2024-03-01"], "早于"),
        (["--chain", "--start", "2024/13/01", "--end", "2024-03-01"], "格式不对"),
        (["--start", "2024-03-01", "--end", "2024-03-31"], "只指定一个"),
    ],
)
def test_bad_input_is_a_clear_chinese_error(loaded: MemberStore, args: list[str],
                                            needle: str) -> None:
    result = runner.invoke(app, ["metrics", *args])
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output


def test_metrics_without_data_says_how_to_get_some() -> None:
    result = runner.invoke(app, ["metrics", "--chain", "--start", "2024-03-01",
                                 "--end", "2024-03-31"])
    assert result.exit_code == 2
    assert "copilot data demo" in result.output


def test_rfm_export_has_scores_and_clv_columns(loaded: MemberStore, tmp_path: Path) -> None:
    out = tmp_path / "rfm.csv"
    result = runner.invoke(app, ["rfm", "--store", "S1", "--end", "2024-03-31",
                                 "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert "重要发展" in result.output and "未消费会员" in result.output
    df = pd.read_csv(out, encoding="utf-8-sig").set_index("member_id")
    assert list(df.index) == ["M1", "M2", "M6", "M7"]
    assert {"r_score", "rfm_class", "frequency", "recency", "T", "monetary_value"} <= set(df)
    assert df.loc["M1", "rfm_class"] == "一般价值"


def test_rfm_json(loaded: MemberStore) -> None:
    result = runner.invoke(app, ["rfm", "--chain", "--end", "2024-03-31", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # M1, M2, M6, M7 bought by March 31; M3's first purchase is in April, M4 never bought.
    assert data["buyers"] == 4
    assert sum(b["members"] for b in data["rfm_classes"]) == 4
    never = next(b for b in data["interval_groups"] if b["name"] == "未消费会员")
    assert never["members"] == 2  # M3 and M4


def test_rfm_json_stays_parseable_with_export(loaded: MemberStore, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["rfm", "--chain", "--end", "2024-03-31", "--json",
                                 "--export", str(out)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["buyers"] == 4 and out.exists()


@pytest.mark.parametrize(("target", "needle"), [("out.xlsx", ".csv"), ("", "文件夹"),
                                                ("missing/r.csv", "不存在")])
def test_rfm_export_path_errors(loaded: MemberStore, tmp_path: Path, monkeypatch,
                                target: str, needle: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir.csv").mkdir()
    result = runner.invoke(app, ["rfm", "--chain", "--export", target or "dir.csv"])
    assert result.exit_code == 2 and needle in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.csv"]  # nothing left behind


def test_period_outside_the_data_is_flagged(loaded: MemberStore) -> None:
    result = runner.invoke(app, ["metrics", "--chain", "--start", "2030-01-01",
                                 "--end", "2030-01-31", "--json"])
    assert result.exit_code == 0
    assert "交易数据覆盖 2023-07-01 ~ 2024-04-01" in result.stderr
    json.loads(result.stdout)  # the warning does not break JSON


def test_bad_settings_are_a_chinese_error(loaded: MemberStore, monkeypatch) -> None:
    monkeypatch.setenv("COPILOT_METRIC_CHURN_DAYS", "abc")
    result = runner.invoke(app, ["metrics", "--chain", "--start", "2024-03-01",
                                 "--end", "2024-03-31"])
    assert result.exit_code == 2 and "配置有误" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setenv("COPILOT_METRIC_CHURN_DAYS", "180")
    monkeypatch.setenv("COPILOT_METRIC_CORE_DAYS", "200")
    result = runner.invoke(app, ["rfm", "--chain"])
    assert result.exit_code == 2 and "core_days < potential_days" in result.output


def test_part_of_a_store_name_lists_the_candidates(loaded: MemberStore) -> None:
    result = runner.invoke(app, ["metrics", "--store", "店", "--start", "2024-03-01",
                                 "--end", "2024-03-31"])
    assert result.exit_code == 2
    assert "静安店(S1)" in result.output and "徐汇店(S2)" in result.output
