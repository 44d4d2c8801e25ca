"""Campaign dispatch benchmark: one worker sending a 20,000-recipient campaign through the
SMS outbox, and through Slack DM to a local mock of Slack's Web API.

    PYTHONPATH=. .venv/bin/python -m evals.benchmarks.campaign_dispatch
    PYTHONPATH=. .venv/bin/python -m evals.benchmarks.campaign_dispatch --recipients 5000 \\
        --state-url postgresql+psycopg://postgres@127.0.0.1:5432/test

(PYTHONPATH=. because the member data and campaign builders live in tests/.) One worker
is `Runtime.run` in this process — what a `copilot worker` thread does with one "send
campaign X" task: claim 500, read the members' opt-out and contact details from member
data (DuckDB), send, mark sent (with the outbox rows) in one transaction, until nothing
is due, then finish the campaign. A 10-recipient campaign per channel warms it up first
(a thread builds its senders once, importing WeCom's: about 1.5 s). Send rates are set
out of the way (the real ones are per channel, 100 SMS/s by default), so this measures
the dispatcher itself. Slack is `evals.benchmarks.slack_mock`, in another process so it
does not share this one's interpreter.
Peers, same process and same rows: for SMS, a bare INSERT loop of the same outbox rows,
500 a transaction (the writes the outbox cannot avoid); for Slack, the same DMs posted
with an httpx client as the adapter does (4 in flight), with no database at all.
Target (issue 7): ≥ 1,000 recipients/s per worker.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import text

from copilot.campaigns.dispatch.channels.slack_dm import IN_FLIGHT
from copilot.campaigns.dispatch.runtime import Runtime
from copilot.config import get_settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.dispatch.helpers import TEXT, load_members, new_campaign

TARGET = 1000.0
TESTER = "UBENCH"
AUTH = {"Authorization": "Bearer xoxb-bench"}


def line(label: str, n: int, seconds: float, unit: str = "recipients/s") -> str:
    return f"  {label:<38} {seconds:7.2f} s   {n / seconds:9,.0f} {unit}"


def sms(rt: Runtime, state: StateStore, ids: list[str]) -> tuple[float, float]:
    cid = new_campaign(state, ids, name="基准短信")
    t0 = time.perf_counter()
    tally = rt.run(cid)
    took = time.perf_counter() - t0
    assert (tally.outcome, tally.sent) == ("done", len(ids)), tally
    rows = [{"k": f"peer:{m}:sms", "c": "peer", "m": m, "p": f"138{i:08d}", "t": TEXT,
             "at": datetime.now()} for i, m in enumerate(ids)]
    insert = text("INSERT INTO sms_outbox (key, campaign_id, member_id, phone, text, "
                  "created_at) VALUES (:k, :c, :m, :p, :t, :at)")
    t0 = time.perf_counter()
    for start in range(0, len(rows), 500):
        with state.begin() as conn:
            conn.execute(insert, rows[start:start + 500])
    return took, time.perf_counter() - t0


def posts(url: str) -> int:
    return int(httpx.post(url + "bench.count").json()["posts"])


def slack(rt: Runtime, state: StateStore, ids: list[str], url: str) -> tuple[float, float]:
    cid = new_campaign(state, ids, channels=("slack_dm",), name="基准私信")
    before = posts(url)
    t0 = time.perf_counter()
    tally = rt.run(cid)
    took = time.perf_counter() - t0
    assert (tally.outcome, tally.sent) == ("done", len(ids)), tally
    assert posts(url) - before == len(ids)

    async def bare() -> float:
        limit = asyncio.Semaphore(IN_FLIGHT)
        async with httpx.AsyncClient(timeout=10) as http:
            async def post(key: str) -> None:
                async with limit:
                    r = await http.post(url + "chat.postMessage", headers=AUTH, json={
                        "channel": "DBENCH", "text": TEXT, "metadata": {
                            "event_type": "campaign_message", "event_payload": {"key": key}}})
                assert r.json()["ok"]

            t0 = time.perf_counter()
            await asyncio.gather(*(post(m) for m in ids))
            return time.perf_counter() - t0

    return took, asyncio.run(bare())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recipients", type=int, default=20_000)
    ap.add_argument("--state-url", default=None,
                    help="the state database (default: SQLite in a temporary data dir)")
    args = ap.parse_args(argv)

    data = Path(tempfile.mkdtemp(prefix="dispatch-bench-"))
    mock = subprocess.Popen([sys.executable, "-m", "evals.benchmarks.slack_mock"],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = (mock.stdout.readline() if mock.stdout else "").strip()
        os.environ.update({
            "COPILOT_DATA_DIR": str(data), "COPILOT_CAMPAIGN_QUIET_START": "00:00",
            "COPILOT_CAMPAIGN_QUIET_END": "00:00",
            "COPILOT_CAMPAIGN_SEND_RATE": '{"sms": 1000000, "slack_dm": 1000000}',
            "COPILOT_SLACK_BOT_TOKEN": "xoxb-bench", "COPILOT_SLACK_API_URL": url,
            "COPILOT_CAMPAIGN_SLACK_TEST_USER": TESTER})
        if args.state_url:
            os.environ["COPILOT_STATE_URL"] = args.state_url
        settings = get_settings()
        members = MemberStore.from_settings(settings)
        ids = load_members(members, args.recipients)
        state = StateStore.from_settings(settings)
        rt = Runtime(settings)
        for channel in ("sms", "slack_dm"):
            rt.run(new_campaign(state, ids[:10], channels=(channel,), name="预热"))
        gc.freeze()  # as `copilot worker` does once it is set up
        n, kind = len(ids), state.kind
        batch = settings.campaign.batch_size
        print(f"campaign dispatch: {n:,} recipients, one worker, batches of {batch}, state "
              f"database {kind}, member data DuckDB (target ≥ {TARGET:,.0f} recipients/s)")
        took, peer = sms(rt, state, ids)
        print("SMS outbox")
        print(line("dispatcher (claim·check·mark·outbox)", n, took))
        print(line("peer: bare INSERT of the same rows", n, peer, "rows/s"))
        took, peer = slack(rt, state, ids, url)
        print("Slack DM, mock Web API in another process")
        print(line("dispatcher (claim·check·post·mark)", n, took))
        print(line("peer: the same posts, no database", n, peer, "posts/s"))
        rt.close()
    finally:
        mock.kill()
        mock.wait(10)


if __name__ == "__main__":
    main()
