"""Member tools benchmark: every tool's latency on the demo set, segment previews at 1 M.

    .venv/bin/python -m evals.benchmarks.tools                       # demo set, all tools
    .venv/bin/python -m evals.benchmarks.tools --segments-size bench # + 1 M-member segments
    .venv/bin/python -m evals.benchmarks.tools --size small --calls 3  # smoke run

Each call goes through `tools.runner.run_tool` exactly as a channel would (validation,
scope, masking, audit write), warm process, several argument sets per tool; p50/p95 in ms.
Target (issue 4): every tool ≤ 50 ms p95 on the demo set; a segment preview ≤ 1 s on the
bench set. Peer for segments: the same SQL computing each member's purchase summary from
the transactions on every call instead of from the derived `member_stats` table.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from unittest import mock

from sqlalchemy import text

from copilot.analytics import remember
from copilot.config import get_settings
from copilot.data.access import Caller, load_user
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from evals.benchmarks.analytics import END, ensure_data
from tools.base import ToolContext
from tools.registry import all_tools
from tools.runner import run_tool

TODAY = END + timedelta(days=1)
SEGMENTS = [
    {"tiers": ["金卡"], "days_since_min": 90, "purchases_min": 2},
    {"rfm_classes": ["重要挽留"], "wecom_added": True},
    {"categories": ["外套"], "spend_min": 2000, "birthday_within_days": 30},
    {"interval_groups": ["潜力会员"], "tags_any": ["价格敏感", "爱用券"]},
]


def _who(store: MemberStore) -> dict[str, str]:
    with store.read() as conn:
        first = dict(conn.execute(text(
            "SELECT role, MIN(staff_id) FROM staff GROUP BY role")).all())
        region = conn.execute(text("SELECT region FROM stores WHERE store_id = 'S001'")).scalar()
    return {**first, "region": region}


def _calls(who: dict[str, str]) -> dict[str, list[tuple[str, dict]]]:
    staff, sup, admin = who["staff"], who["supervisor"], who["admin"]
    stores = [f"S{i:03d}" for i in range(1, 9)]
    return {
        "query_members": [(staff, {"mine": True}), (staff, {"stage": ["潜力会员"]}),
                          (staff, {"tier": ["金卡"], "limit": 50}),
                          (admin, {"member_id": "M0000123"}), (admin, {"phone_tail": "1234"})],
        "member_metrics": [(admin, {"store": s, "period": "上个月",
                                    "compare": ["region", "chain"]}) for s in stores[:4]]
                          + [(sup, {"region": who["region"], "period": "最近90天"}),
                             (staff, {"period": "上个月", "compare": ["previous"]})],
        "build_segment": [(sup, spec) for spec in SEGMENTS] + [(staff, SEGMENTS[0])],
        "list_segments": [(sup, {})],
        "followup_list": [(admin, {"store": s}) for s in stores[:4]] + [(staff, {})],
        "diagnose_store": [(admin, {"store": s, "period": "上个月", "chart": False})
                           for s in stores[:4]],
        "diagnose_store+chart": [(admin, {"store": s, "period": "上个月"}) for s in stores[:4]],
        "region_overview": [(admin, {"region": who["region"], "period": "上个月"}),
                            (sup, {"period": "上个月"})],
    }


def _ctx(settings, store: MemberStore, state: StateStore, staff_id: str) -> ToolContext:
    with store.read() as conn:
        user = load_user(conn, staff_id)
    return ToolContext(settings, store, state, Caller(user, channel="bench"), today=TODAY)


def _percentiles(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"


def _forget(state_dir: Path) -> None:
    """Cold calls: no remembered store parts and no chart files from earlier calls."""
    remember.forget()
    shutil.rmtree(state_dir / "charts", ignore_errors=True)


def time_tools(store: MemberStore, calls: int, state_dir: Path, *, cold: bool) -> None:
    settings = get_settings(data_dir=state_dir)
    state = StateStore.from_settings(settings)
    plan = _calls(_who(store))
    names = {t.name for t in all_tools()}
    for label, arg_sets in plan.items():
        name = label.split("+")[0]
        if name not in names:
            print(f"  {label:22s} (not registered)")
            continue
        ctxs = [(_ctx(settings, store, state, who), args) for who, args in arg_sets]
        for ctx, args in ctxs:  # warm: first open of the database, playbooks, fonts
            out = run_tool(ctx, name, args)
            assert out.ok, (name, args, out.error)
        ms = []
        for _ in range(calls):
            for ctx, args in ctxs:
                if cold:
                    _forget(state_dir)
                t0 = time.perf_counter()
                run_tool(ctx, name, args)
                ms.append((time.perf_counter() - t0) * 1000)
        print(f"  {label:22s} {_percentiles(ms)}")


@contextlib.contextmanager
def _without_derived() -> Iterator[None]:
    """The peer: pretend the derived tables are absent, so summaries come from transactions."""
    with mock.patch("copilot.analytics.facts.facts_as_of", return_value=None), \
            mock.patch("tools.segments.tool.facts_as_of", return_value=None):
        yield


def time_segments(store: MemberStore, calls: int, state_dir: Path) -> None:
    settings = get_settings(data_dir=state_dir)
    state = StateStore.from_settings(settings)
    admin = _ctx(settings, store, state, _who(store)["admin"])
    for label, patch in (("ours (member_stats)", contextlib.nullcontext),
                         ("peer (from transactions)", _without_derived)):
        ms = []
        with patch():
            for spec in SEGMENTS:
                assert run_tool(admin, "build_segment", spec).ok
                for _ in range(calls):
                    t0 = time.perf_counter()
                    run_tool(admin, "build_segment", spec)
                    ms.append((time.perf_counter() - t0) * 1000)
        print(f"  {label:26s} {_percentiles(ms)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="demo", help="demo set for the per-tool figures")
    parser.add_argument("--segments-size", default=None, help="e.g. bench (1 M members)")
    parser.add_argument("--root", type=Path, default=Path("var/bench"))
    parser.add_argument("--calls", type=int, default=5, help="rounds over each argument set")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = ensure_data(args.size, args.root)
        for cold, what in ((False, "repeat questions: remembered store parts and charts"),
                           (True, "cold: nothing remembered from earlier calls")):
            print(f"tools on the {args.size} set, {what} (target p95 ≤ 50 ms):")
            time_tools(store, args.calls, Path(tmp), cold=cold)
        if args.segments_size:
            big = ensure_data(args.segments_size, args.root)
            print(f"build_segment on the {args.segments_size} set, chain scope "
                  f"(target ≤ 1000 ms):")
            time_segments(big, max(1, args.calls // 2), Path(tmp))


if __name__ == "__main__":
    main()
