"""`copilot worker`: --once sends what is due and exits; SIGTERM stops it cleanly, handing
back what it had not tried, and a later run finishes the campaign."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from copilot.cli.worker import worker
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.dispatch.helpers import campaign_state, load_members, new_campaign, outbox
from tests.campaigns.dispatch.workers import (
    Worker,
    assert_sent_exactly_once,
    count,
    outbox_count,
    wait_for,
)


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(worker)
    return app


def test_once_starts_sends_and_exits(configure, members: MemberStore) -> None:
    settings = configure()
    state = StateStore.from_settings(settings)
    cid = new_campaign(state, load_members(members, 12), status="scheduled")
    before = signal.getsignal(signal.SIGINT)
    result = CliRunner().invoke(_app(), ["--once", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert f"活动 {cid}:已发送 12,跳过 0,失败 0,对照组 0" in result.output
    assert campaign_state(state, cid) == "done" and len(outbox(state, cid)) == 12
    assert signal.getsignal(signal.SIGINT) is before  # handlers put back
    again = CliRunner().invoke(_app(), ["--once"])
    assert again.exit_code == 0 and "现在没有要发送的活动" in again.output


@pytest.mark.parametrize("kind", [[], ["--processes"]], ids=["threads", "processes"])
def test_sigterm_stops_cleanly_and_hands_back_what_was_not_tried(
        kind: list[str], configure, members: MemberStore, tmp_path: Path) -> None:
    settings = configure(CAMPAIGN_SEND_RATE='{"sms": 200}')  # 1,000 take 5 s
    state = StateStore.from_settings(settings)
    n = 1000
    cid = new_campaign(state, load_members(members, n))
    w = Worker(tmp_path, "--tick-s", "0.5", "--workers", "2", *kind)
    wait_for(lambda: outbox_count(state, cid) >= 100, "the first slices", [w])
    assert w.stop() == 0, w.output()
    assert "活动发送程序已停止" in w.output()
    claimed = count(state, "SELECT COUNT(*) FROM campaign_recipients WHERE state = 'claimed'")
    sent = outbox_count(state, cid)
    assert claimed == 0 and 0 < sent < n  # the rest handed back, nothing half done
    assert count(state, "SELECT COUNT(*) FROM campaign_recipients WHERE state = 'pending' "
                        "AND attempts = 0") == n - sent
    configure(CAMPAIGN_SEND_RATE='{"sms": 100000}')  # the rest at once
    result = CliRunner().invoke(_app(), ["--once"])
    assert result.exit_code == 0, result.output
    assert_sent_exactly_once(state, cid, n)
