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
