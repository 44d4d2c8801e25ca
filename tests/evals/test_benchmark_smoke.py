"""The analytics benchmark keeps running (on the small set; figures are not asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.benchmarks.analytics import main


def test_analytics_benchmark_runs_on_small(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    main(["--size", "small", "--root", str(tmp_path), "--repeat", "1"])
    out = capsys.readouterr().out
    for name in ("ours: RFM + four rates", "lifetimes:", "pandas:"):
        assert name in out


def test_tools_benchmark_runs_on_small(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from evals.benchmarks.tools import main as tools_main

    tools_main(["--size", "small", "--root", str(tmp_path), "--calls", "1"])
    out = capsys.readouterr().out
    for name in ("query_members", "build_segment", "diagnose_store", "cold:"):
        assert name in out
    assert "not registered" not in out
