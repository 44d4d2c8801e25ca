"""Agent benchmark: offline turns over the eval set, and `copilot ask` cold start.

    .venv/bin/python -m evals.benchmarks.agent                 # eval chain (demo size)
    .venv/bin/python -m evals.benchmarks.agent --cold 3        # fewer cold starts

Turns: every turn of every agent-eval case through `Copilot.turn` (memory, middleware,
tools, audit), warm process; the peer is the same tool calls made directly through
`tools.runner.run_tool`, so the difference is what the agent loop costs. Cold start: a
new `copilot ask --json` process per question; the peer is `copilot tool` answering the
same question without the agent. Targets (issue 5): turn p50 ≤ 50 ms, p95 ≤ 200 ms;
`copilot ask` cold start ≤ 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from copilot.agent.service import Copilot
from copilot.data.access import Caller, load_user
from evals.agent.cases import TODAY, load_cases
from evals.agent.run import DATA_SIZE, eval_settings
from evals.benchmarks.analytics import ensure_data
from tools.base import ToolContext
from tools.runner import run_tool

QUESTION = "朝阳店上个月复购率多少"
TOOL_ARGS = '{"store": "朝阳店", "period": "上个月", "metrics": ["复购率"]}'


def _pct(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"


async def _turns(cfg, part: str) -> tuple[list[float], list[float]]:
    agent_ms: list[float] = []
    direct_ms: list[float] = []
    async with Copilot.open(cfg) as copilot:
        copilot.knowledge()
        for case in load_cases(part):  # type: ignore[arg-type]
            with copilot.members.read() as conn:
                user = load_user(conn, case.who)
            ctx = ToolContext(cfg, copilot.members, copilot.state,
                              Caller(user, direct=case.channel == "dm", channel="bench"),
                              today=case.today, knowledge=copilot.knowledge)
            for turn in case.turns:
                t0 = time.perf_counter()
                result = await copilot.turn(turn.say, staff_id=case.who, thread=case.id,
                                            channel="bench", today=case.today,
                                            direct=case.channel == "dm")
                agent_ms.append((time.perf_counter() - t0) * 1000)
                for call in result.tool_calls:
                    if call.name != "delete_segment":
                        t0 = time.perf_counter()
                        run_tool(ctx, call.name, {k: v for k, v in call.args.items()
                                                  if k != "save_as"})
                        direct_ms.append((time.perf_counter() - t0) * 1000)
    return agent_ms, direct_ms


def _cold(cfg, runs: int) -> tuple[list[float], list[float]]:
    exe = str(Path(sys.executable).with_name("copilot"))
    env = {**os.environ, "COPILOT_DATA_DIR": str(cfg.data_dir),
           "COPILOT_DATABASE_URL": cfg.database_url, "COPILOT_STAFF_ID": "E0001"}
    today = ["--today", TODAY.isoformat()]
    ask = [exe, "ask", QUESTION, "--json", *today]
    tool = [exe, "tool", "member_metrics", "--as", "E0001", "--args", TOOL_ARGS, *today]
    out: tuple[list[float], list[float]] = ([], [])
    subprocess.run(ask, env=env, check=True, capture_output=True)  # first run writes state
    for _ in range(runs):
        for cmd, bucket in ((ask, out[0]), (tool, out[1])):
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            bucket.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("var/eval"))
    parser.add_argument("--part", default="all", help="dev | holdout | all")
    parser.add_argument("--cold", type=int, default=5, help="cold starts of each command")
    args = parser.parse_args(argv)
    args.root.mkdir(parents=True, exist_ok=True)
    ensure_data(DATA_SIZE, args.root).close()
    cfg = eval_settings(args.root, "offline")
    try:
        agent_ms, direct_ms = asyncio.run(_turns(cfg, args.part))
        print(f"offline agent turns over the eval set ({args.part}), warm process "
              "(target p50 ≤ 50 ms, p95 ≤ 200 ms):")
        print(f"  agent turn (Copilot.turn)       {_pct(agent_ms)}")
        print(f"  peer: the same tool calls alone {_pct(direct_ms)}")
        if args.cold:
            ask_ms, tool_ms = _cold(cfg, args.cold)
            print("cold start, a new process per question (target ≤ 2000 ms):")
            print(f"  copilot ask --json              {_pct(ask_ms)}")
            print(f"  peer: copilot tool              {_pct(tool_ms)}")
    finally:
        shutil.rmtree(cfg.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
