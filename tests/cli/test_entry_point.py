"""The installed `copilot` command works from any directory (package data included)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "copilot"


@pytest.mark.skipif(not SCRIPT.exists(), reason="the project is not installed in this venv")
def test_console_script_runs_outside_the_repo(tmp_path: Path, data_dir: Path) -> None:
    env = {**os.environ, "COPILOT_DATA_DIR": str(data_dir)}
    demo = subprocess.run([str(SCRIPT), "data", "demo", "--size", "small"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr
    csv = tmp_path / "stores.csv"
    csv.write_text("门店编号,门店名称,区域\nS900,测试店,华东\n", encoding="utf-8")
    def run_import(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(SCRIPT), "data", "import", "--stores", str(csv), *extra],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    refused = run_import()  # real data never blends into the demo chain
    assert refused.returncode == 2 and "--replace-demo" in refused.stdout + refused.stderr
    imported = run_import("--replace-demo")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    metrics = subprocess.run(
        [str(SCRIPT), "metrics", "--store", "测试店", "--start", "2025-01-01",
         "--end", "2025-01-31", "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert metrics.returncode == 0, metrics.stderr
    assert '"active_members": 0' in metrics.stdout


def test_bad_settings_are_named_as_the_user_set_them(monkeypatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from copilot.cli.main import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COPILOT_METRIC_CHURN_DAYS", "abc")
    result = CliRunner().invoke(app, ["metrics", "--chain", "--start", "2026-10-01",
                                      "--end", "2026-10-31"])
    assert result.exit_code == 2 and "COPILOT_METRIC_CHURN_DAYS" in result.output
    monkeypatch.delenv("COPILOT_METRIC_CHURN_DAYS")
    monkeypatch.setenv("COPILOT_FOLLOWUP_DAYS", "1,7,30")
    result = CliRunner().invoke(app, ["metrics", "--chain", "--start", "2026-10-01",
                                      "--end", "2026-10-31"])
    assert result.exit_code == 2 and "COPILOT_FOLLOWUP_DAYS='[1,7,30]'" in result.output


def test_nested_settings_are_read_from_dot_env(monkeypatch, tmp_path: Path) -> None:
    from copilot.config import get_settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("COPILOT_METRIC_CHURN_DAYS=90\nCOPILOT_FOLLOWUP_DAYS=[1,7]\n")
    cfg = get_settings()
    assert cfg.metrics.churn_days == 90 and cfg.followup.days == [1, 7]
