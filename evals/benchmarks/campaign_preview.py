"""Campaign preview benchmark: `schedule_campaign` for a ~100 k-member audience.

    PYTHONPATH=. .venv/bin/python -m evals.benchmarks.campaign_preview            # bench set
    PYTHONPATH=. .venv/bin/python -m evals.benchmarks.campaign_preview --pg URL  # + PG state
    PYTHONPATH=. .venv/bin/python -m evals.benchmarks.campaign_preview --size demo --runs 2

The preview evaluates the segment, applies opt-outs, reachability, frequency caps (against
a month of earlier sends) and the holdout, and writes the campaign with one recipient row
per member and channel: the whole call, as a channel makes it (`tools.runner.run_tool`).
Target (issue 7): ≤ 2 s for 100 k members. Peer, in the same process on the same data:
`build_segment` previewing the same segment (count, breakdown and sample, no rows written).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from copilot.campaigns import recipients
from copilot.config import get_settings
from copilot.data.access import Caller, load_user
from copilot.state.db import StateStore
from evals.benchmarks.analytics import END, ensure_data
from tools.base import ToolContext
from tools.runner import run_tool

TODAY = END + timedelta(days=1)
TARGET = 100_000  # members in the campaign's segment
TEXT = "【朝阳店】本周六会员日,会员专享满500减80,到店出示会员码即可享受。回T退订"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="bench", choices=["small", "demo", "bench"])
    ap.add_argument("--root", type=Path, default=Path("var/bench"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pg", help="also with the state in this PostgreSQL database")
    args = ap.parse_args(argv)
    members = ensure_data(args.size, args.root)
    with members.read() as conn:
        admin = load_user(conn, conn.execute(text(
            "SELECT MIN(staff_id) FROM staff WHERE role = 'admin'")).scalar_one())
        # stores in id order until their members reach 100 k (the whole set on small data)
        counts = conn.execute(text("SELECT store_id, COUNT(*) FROM members GROUP BY store_id "
                                   "ORDER BY store_id")).all()
    stores, total = [], 0
    for store_id, n in counts:
        if total >= TARGET:
            break
        stores.append(store_id)
        total += n
    spec = {"stores": stores}
    where = f"{len(stores)} stores {stores[0]}…{stores[-1]}"
    for label, url in [("SQLite", None), *([("PostgreSQL", args.pg)] if args.pg else [])]:
        with tempfile.TemporaryDirectory() as tmp, _schema(url) as url:
            cfg = get_settings(data_dir=Path(tmp), database_url=members.url.render_as_string(
                hide_password=False), state_url=url)
            state = StateStore.from_settings(cfg)
            ctx = ToolContext(cfg, members, state, Caller(admin, channel="bench"), today=TODAY,
                              clock=lambda: datetime(2000, 1, 1, 11, 0))
            saved = run_tool(ctx, "build_segment", {**spec, "save_as": "bench"})
            assert saved.ok, saved.error
            size = saved.result.size  # type: ignore[union-attr]
            _earlier_sends(state, members, size)
            peer, ours, reached = [], [], 0
            for _ in range(args.runs):
                t0 = time.perf_counter()
                assert run_tool(ctx, "build_segment", spec).ok
                peer.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                out = run_tool(ctx, "schedule_campaign", {
                    "segment": "bench", "text": TEXT, "channels": ["sms"],
                    "send_at": "2026-07-04 10:00", "holdout_share": 0.1})
                ours.append(time.perf_counter() - t0)
                assert out.ok, out.error
                reached = out.result.members_reached  # type: ignore[union-attr]
            print(f"{label} state · segment {size:,} members ({where}), "
                  f"{reached:,} to send after rules and a 10% holdout")
            print(f"  schedule_campaign preview  p50 {statistics.median(ours):.2f} s  "
                  f"max {max(ours):.2f} s   (target ≤ 2 s)")
            print(f"  peer: build_segment preview p50 {statistics.median(peer):.2f} s  "
                  f"max {max(peer):.2f} s")
            state.close()


@contextlib.contextmanager
def _schema(server: str | None) -> Iterator[str | None]:
    """A fresh schema on the PostgreSQL server for the state, dropped afterwards."""
    if server is None:
        yield None
        return
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        yield f"{server}?options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()


def _earlier_sends(state: StateStore, members, size: int) -> None:
    """A month of history for the caps: a third of the audience got an SMS last week."""
    with members.read() as conn:
        ids = [r[0] for r in conn.execute(text(
            "SELECT member_id FROM members ORDER BY member_id LIMIT :n"), {"n": size // 3})]
    rows = [recipients.Row(m, "sms", "S001", None, "sent") for m in ids]
    with state.begin() as conn:
        recipients.insert(conn, "history001", rows)
        conn.execute(text("UPDATE campaign_recipients SET sent_at = :t"),
                     {"t": datetime.combine(TODAY - timedelta(days=3), datetime.min.time())})


if __name__ == "__main__":
    main()
