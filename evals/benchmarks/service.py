"""Service benchmark: 50 concurrent conversations through POST /api/chat, Slack's ack time
and WeCom's callback time, against a real `copilot serve` process on loopback.

    PYTHONPATH=. .venv/bin/python -m evals.benchmarks.service          # 50 × 4 turns
    PYTHONPATH=. .venv/bin/python -m evals.benchmarks.service --conversations 20 --turns 2

(PYTHONPATH=. because the Slack and WeCom mocks live in tests/support.) The service runs
the offline model over the demo chain (built once under var/bench) with its agent worker
processes (`copilot serve`'s default), Slack and WeCom on, and their cloud APIs replaced
by local mocks in this process. Load generator, mocks and service share the machine.
- chat: every turn's round trip while 50 conversations run at once. People read and type:
  each conversation starts at a random moment and waits 2–6 s (--think) between an answer
  and its next message. Capacity: the same with no pause at all (closed loop). The peer is
  the same turns answered in this process by `Copilot.turn`, one at a time, so the
  difference is HTTP, the worker hop and queueing.
- Slack: the time to Slack's ack for signed app_mention events while the agent works on
  the ones before, paced (--rate a second) and all at once; the peer is GET /healthz
  at the same moment.
- WeCom: the same for encrypted callback POSTs (the empty success WeCom waits 5 s for).
Targets (issue 6): chat p95 ≤ 500 ms with no errors; Slack ack p95 ≤ 100 ms; WeCom
callback p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from copilot.agent.service import Copilot
from copilot.config import get_settings
from evals.benchmarks.analytics import ensure_data
from evals.benchmarks.service_channels import channel_mocks, slack_acks, wecom_acks

SCRIPTS = [  # (staff, turns): what a store manager, a guide and a supervisor ask
    ("E0001", ["朝阳店上个月复购率", "那区域平均呢?", "诊断一下朝阳店上个月", "沉睡会员怎么激活"]),
    ("E0002", ["我今天该联系谁", "朝阳店上个月客单价", "金卡 90天没来的有多少人",
               "生日关怀怎么做"]),
    ("E0220", ["华北各店上个月复购率排名", "帮我诊断一下朝阳店上个月", "那西单店呢",
               "朝阳店上个月会员销售占比"]),
]
TODAY = "2026-11-25"
API_TOKEN = "bench-api-token"  # Slack and WeCom are on, so /api/* needs a token
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def pct(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (f"p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms"
            f"   (n={len(ms)})")


def start_service(env: dict[str, str], port: int) -> subprocess.Popen:
    exe = str(Path(sys.executable).with_name("copilot"))
    proc = subprocess.Popen([exe, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"service did not start:\n{proc.stdout.read().decode()}")  # type: ignore[union-attr]


async def conversations(base: str, n: int, turns: int, think: tuple[float, float]
                        ) -> tuple[list[float], int, float]:
    """Latencies, errors and turns/s. Each conversation starts at a random moment within
    the first think time and waits a random think time (reading, typing) between an
    answer and its next message; think (0, 0) sends at once: the service's capacity."""
    ms: list[float] = []
    errors = 0
    rng = random.Random(7)
    limits = httpx.Limits(max_connections=n + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits,
                                 headers=AUTH) as client:
        async def one(i: int) -> None:
            nonlocal errors
            staff, script = SCRIPTS[i % len(SCRIPTS)]
            thread = f"bench-{i}-{time.time_ns()}"
            await asyncio.sleep(rng.uniform(0, think[1]))
            for k, text in enumerate(script[:turns]):
                if k:
                    await asyncio.sleep(rng.uniform(*think))
                t0 = time.perf_counter()
                r = await client.post("/api/chat", json={
                    "message": text, "staff_id": staff, "thread_id": thread, "today": TODAY})
                ms.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200 or not r.json().get("answer"):
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        rate = len(ms) / (time.perf_counter() - t0)
    return ms, errors, rate


async def in_process(env: dict[str, str], turns: int) -> list[float]:
    cfg = get_settings(data_dir=Path(tempfile.mkdtemp(prefix="svc-peer-")),
                       database_url=env["COPILOT_DATABASE_URL"])
    ms: list[float] = []
    from datetime import date

    async with Copilot.open(cfg) as copilot:
        copilot.knowledge()
        for round_ in range(3):
            for i, (staff, script) in enumerate(SCRIPTS):
                for text in script[:turns]:
                    t0 = time.perf_counter()
                    await copilot.turn(text, staff_id=staff, thread=f"peer-{round_}-{i}",
                                       channel="api", today=date.fromisoformat(TODAY))
                    ms.append((time.perf_counter() - t0) * 1000)
    return ms


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=50)
    ap.add_argument("--turns", type=int, default=4, choices=range(1, 5))
    ap.add_argument("--think", type=float, nargs=2, default=(2.0, 6.0), metavar=("MIN", "MAX"),
                    help="seconds a person takes between an answer and the next message")
    ap.add_argument("--events", type=int, default=50, help="Slack / WeCom events fired")
    ap.add_argument("--rate", type=float, default=10.0,
                    help="events a second in the paced run (the other fires all at once)")
    ap.add_argument("--root", type=Path, default=Path("var/bench"))
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args(argv)

    ensure_data("demo", args.root).close()
    data = Path(tempfile.mkdtemp(prefix="svc-bench-"))
    env = {**os.environ, "COPILOT_DATA_DIR": str(data),
           "COPILOT_DATABASE_URL": f"duckdb:///{(args.root / 'demo' / 'members.duckdb').resolve()}",
           "COPILOT_CHANNEL_RATE_PER_MIN": "10000", "COPILOT_API_TOKEN": API_TOKEN}
    env.pop("COPILOT_MEMORY_URL", None)
    base = f"http://127.0.0.1:{args.port}"
    with channel_mocks(env, data) as mocks:
        proc = start_service(env, args.port)
        try:
            for i in range(8):  # every worker answers once before anything is timed
                httpx.post(f"{base}/api/chat", json={"message": "沉睡会员怎么激活",
                                                      "staff_id": "E0001",
                                                      "thread_id": f"warm-{i}"},
                           headers=AUTH, timeout=60)
            think = (args.think[0], args.think[1])
            ms, errors, rate = asyncio.run(conversations(base, args.conversations,
                                                         args.turns, think))
            print(f"chat: {args.conversations} concurrent conversations × {args.turns} turns, "
                  f"{think[0]:g}–{think[1]:g} s between an answer and the next message "
                  f"(target p95 ≤ 500 ms, no errors)")
            print(f"  /api/chat          {pct(ms)}   errors {errors}   {rate:.1f} turns/s")
            ms, errors, rate = asyncio.run(conversations(base, args.conversations,
                                                         args.turns, (0.0, 0.0)))
            print(f"capacity: the same {args.conversations} conversations sending at once, "
                  "no pause (closed loop)")
            print(f"  /api/chat          {pct(ms)}   errors {errors}   {rate:.1f} turns/s")
            for label, rate in ((f"{args.rate:g} a second", args.rate), ("all at once", None)):
                slack, peer = asyncio.run(slack_acks(base, mocks, args.events, rate))
                print(f"Slack: {args.events} signed mentions, {label} (target ack p95 ≤ 100 ms)")
                print(f"  ack                {pct(slack)}")
                print(f"  peer GET /healthz  {pct(peer)}")
                print(f"  replies posted     {mocks.slack_replies()} of {mocks.slack_expected}")
                wecom, peer = asyncio.run(wecom_acks(base, mocks, args.events, rate))
                print(f"WeCom: {args.events} encrypted messages, {label} "
                      "(target response p95 ≤ 100 ms)")
                print(f"  callback response  {pct(wecom)}")
                print(f"  peer GET /healthz  {pct(peer)}")
                print(f"  replies sent       {mocks.wecom_replies()} of {mocks.wecom_expected}")
        finally:
            proc.terminate()
            proc.wait(30)
    peer = asyncio.run(in_process(env, args.turns))
    print("peer: the same turns in this process, one at a time (no HTTP, no queueing)")
    print(f"  Copilot.turn       {pct(peer)}")

if __name__ == "__main__":
    main()
