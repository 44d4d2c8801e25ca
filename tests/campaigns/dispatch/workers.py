"""Running `copilot worker` as a real process for the crash tests, and watching the state
database while it works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from copilot.state.db import StateStore


class Worker:
    """`python -m copilot.cli.worker ARGS` with this test's COPILOT_* environment; its output
    goes to a file, shown when a test fails."""

    def __init__(self, log_dir: Path, *args: str) -> None:
        self.log = log_dir / f"worker-{time.monotonic_ns()}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "copilot.cli.worker", *args], env=dict(os.environ),
                stdout=out, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is handed back — a crash."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout)


def wait_for(check: Callable[[], bool], what: str, workers: list[Worker],
             timeout: float = 60.0, step: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            logs = "\n".join(w.output()[-3000:] for w in workers)
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        time.sleep(step)


def count(state: StateStore, sql: str, **params: object) -> int:
    with state.begin() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def sent_by(state: StateStore, campaign_id: str, pid: int) -> int:
    """Recipients marked sent by worker process `pid` (a claim's holder names its pid)."""
    return count(state, "SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = :c "
                        "AND state = 'sent' AND claimed_by LIKE :p",
                 c=campaign_id, p=f"%:{pid}:%")


def held_by(state: StateStore, campaign_id: str, pid: int) -> int:
    return count(state, "SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = :c "
                        "AND state = 'claimed' AND claimed_by LIKE :p",
                 c=campaign_id, p=f"%:{pid}:%")


def outbox_count(state: StateStore, campaign_id: str) -> int:
    return count(state, "SELECT COUNT(*) FROM sms_outbox WHERE campaign_id = :c",
                 c=campaign_id)


def assert_sent_exactly_once(state: StateStore, campaign_id: str, n: int) -> None:
    """Every one of the n recipients sent, one outbox row each, the campaign done."""
    with state.begin() as conn:
        keys = [k for (k,) in conn.execute(text(
            "SELECT key FROM sms_outbox WHERE campaign_id = :c"), {"c": campaign_id})]
        sent = conn.execute(text("SELECT COUNT(*) FROM campaign_recipients WHERE "
                                 "campaign_id = :c AND state = 'sent'"),
                            {"c": campaign_id}).scalar_one()
        status = conn.execute(text("SELECT state FROM campaigns WHERE campaign_id = :c"),
                              {"c": campaign_id}).scalar_one()
    assert len(keys) == len(set(keys)) == n
    assert set(keys) == {f"{campaign_id}:M{i:05d}:sms" for i in range(n)}
    assert (sent, status) == (n, "done")
