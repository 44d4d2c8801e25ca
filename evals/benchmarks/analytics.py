"""Member analytics benchmark: our SQL vs lifetimes vs plain pandas, one process, same data.

    .venv/bin/python -m evals.benchmarks.analytics --size bench     # 1 M members, 10 M tx
    .venv/bin/python -m evals.benchmarks.analytics --size small     # seconds, for a smoke run

Builds the demo set of that size under var/bench/<size>/ the first time (deterministic),
then times, best of --repeat runs:
  ours      RFM summary + the four rates (chain scope, last 365 days) on embedded DuckDB
  ours CLV  per-member frequency/recency/T/monetary (lifetimes semantics) in SQL
  lifetimes summary_data_from_transaction_data on the same member transactions
  pandas    a hand-written pandas group-by doing RFM + the four rates
Target (issue 2): ours ≤ 1 s at 10 M transactions on 2 cores and ≥ 15x lifetimes.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data
from sqlalchemy import text

from copilot.analytics import remember
from copilot.analytics.clv import clv_summary
from copilot.analytics.overview import compute_overview
from copilot.analytics.period import Period
from copilot.analytics.scope import resolve_scope
from copilot.config import MetricWindows
from copilot.data.demo import build_demo
from copilot.data.store import MemberStore
from evals.benchmarks.pandas_baseline import pandas_rfm_and_rates

END = date(2026, 6, 30)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    runs, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t0)
    return min(runs), statistics.median(runs), result


def ensure_data(size: str, root: Path) -> MemberStore:
    store = MemberStore(f"duckdb:///{root / size / 'members.duckdb'}")
    if not store.exists():
        root.joinpath(size).mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        print(f"building the {size} demo set (once) …", flush=True)
        build_demo(store, size=size, seed=7, end=END)
        print(f"  built in {time.perf_counter() - t0:.1f} s")
    return store


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="bench", choices=["small", "demo", "bench"])
    ap.add_argument("--root", type=Path, default=Path("var/bench"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-lifetimes", action="store_true")
    args = ap.parse_args(argv)

    store = ensure_data(args.size, args.root)
    windows = MetricWindows()
    period = Period(END - timedelta(days=364), END)
    with store.read() as conn:
        n_tx = conn.execute(text("SELECT COUNT(*) FROM transactions")).scalar_one()
        n_members = conn.execute(text("SELECT COUNT(*) FROM members")).scalar_one()
        scope = resolve_scope(conn, chain=True)

        def ours() -> object:
            remember.forget()  # every run computes: no figures remembered from the last one
            return compute_overview(conn, scope, period, windows)

        rows = [("ours: RFM + four rates (DuckDB SQL)", *timed(ours, args.repeat)[:2])]
        rows.append(("ours: CLV summary, lifetimes semantics",
                     *timed(lambda: clv_summary(conn, scope, END), args.repeat)[:2]))
        t0 = time.perf_counter()
        tx = conn.execute(text("SELECT * FROM transactions")).cursor.fetch_df()
        members = conn.execute(text("SELECT * FROM members")).cursor.fetch_df()
        load_s = time.perf_counter() - t0

    rows.append(("pandas: RFM + four rates (group-by)",
                 *timed(lambda: pandas_rfm_and_rates(tx, members, period, windows),
                        args.repeat)[:2]))
    if not args.skip_lifetimes:
        member_tx = tx.loc[tx["member_id"].notna() & (tx["ts"] < pd.Timestamp(END) +
                                                       pd.Timedelta(days=1))]
        member_tx = member_tx.assign(amount=member_tx["amount"].astype("float64"))
        rows.append(("lifetimes: summary_data_from_transaction_data", *timed(
            lambda: summary_data_from_transaction_data(
                member_tx, "member_id", "ts", monetary_value_col="amount",
                observation_period_end=pd.Timestamp(END), freq="D"), 1)[:2]))

    print(f"\n{args.size}: {n_members:,} members, {n_tx:,} transactions; as of {END}; "
          f"loading them into pandas took {load_s:.2f} s (not counted below)")
    print(f"{'what':<48}{'best s':>10}{'median s':>10}{'vs ours':>10}")
    ours_best = rows[0][1]
    for name, best, median in rows:
        print(f"{name:<48}{best:>10.3f}{median:>10.3f}{best / ours_best:>9.1f}x")


if __name__ == "__main__":
    main()
