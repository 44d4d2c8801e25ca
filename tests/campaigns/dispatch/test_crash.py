"""Crashes, for real: `copilot worker` processes SIGKILLed in the middle of a campaign while
they hold claims, started again, racing each other — and still every recipient is sent
exactly once (one outbox row each, one Slack DM each) and the campaign ends done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from copilot.campaigns.dispatch.queue import make_huey
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.dispatch.helpers import campaign_state, load_members, new_campaign
from tests.campaigns.dispatch.workers import (
    Worker,
    assert_sent_exactly_once,
    count,
    held_by,
    outbox_count,
    sent_by,
    wait_for,
)
from tests.support.slack_api import SlackAPI

pytestmark = pytest.mark.slow
LEASE = {"CAMPAIGN_CLAIM_LEASE_S": "5"}  # a dead worker's claims are taken over after 5 s


def _mid_claim(state: StateStore, cid: str, w: Worker, n: int) -> Callable[[], bool]:
    """Some sent, not all, and `w` holding a claimed batch: the moment to kill it."""
    return lambda: (0 < count(state, "SELECT COUNT(*) FROM campaign_recipients WHERE "
                                     "campaign_id = :c AND state = 'sent'", c=cid) < n
                    and held_by(state, cid, w.pid) > 0)


def test_a_worker_killed_mid_campaign_and_started_again_sends_each_sms_once(
        configure, members: MemberStore, tmp_path: Path) -> None:
    settings = configure(CAMPAIGN_SEND_RATE='{"sms": 2000}', **LEASE)
    state = StateStore.from_settings(settings)
    n = 3000
    cid = new_campaign(state, load_members(members, n))
    first = Worker(tmp_path, "--tick-s", "0.5")
    wait_for(_mid_claim(state, cid, first, n), "a batch in flight", [first])
    first.kill()
    orphaned = held_by(state, cid, first.pid)
    assert orphaned > 0 and outbox_count(state, cid) < n
    second = Worker(tmp_path, "--tick-s", "0.5")
    try:
        wait_for(lambda: campaign_state(state, cid) == "done", "the campaign done", [second])
    finally:
        assert second.stop() == 0, second.output()
    assert_sent_exactly_once(state, cid, n)
    assert sent_by(state, cid, second.pid) >= orphaned  # it took the dead worker's batch


def test_two_workers_racing_on_postgresql_and_redis_one_killed_and_restarted(
        configure, pg_url: str, redis_server: str, members: MemberStore,
        tmp_path: Path) -> None:
    settings = configure(STATE_URL=pg_url, QUEUE_URL=redis_server,
                         CAMPAIGN_SEND_RATE='{"sms": 1000}', **LEASE)
    state = StateStore.from_settings(settings)
    n = 6000
    cid = new_campaign(state, load_members(members, n))
    a = Worker(tmp_path, "--tick-s", "0.3", "--workers", "2")
    b = Worker(tmp_path, "--tick-s", "0.3", "--workers", "2")
    workers = [a, b]
    try:
        wait_for(lambda: sent_by(state, cid, a.pid) > 0 and sent_by(state, cid, b.pid) > 0,
                 "both racing", workers)
        wait_for(_mid_claim(state, cid, a, n), "a batch in flight at A", workers)
        a.kill()
        assert held_by(state, cid, a.pid) > 0
        a2 = Worker(tmp_path, "--tick-s", "0.3", "--workers", "2")
        workers.append(a2)
        wait_for(lambda: campaign_state(state, cid) == "done", "the campaign done", workers)
    finally:
        for w in workers[1:]:
            assert w.stop() == 0, w.output()
        make_huey(settings).flush()
    assert_sent_exactly_once(state, cid, n)
    assert sent_by(state, cid, a.pid) > 0 and sent_by(state, cid, b.pid) > 0


def test_a_worker_killed_while_posting_slack_dms_posts_none_twice(
        configure, members: MemberStore, tmp_path: Path) -> None:
    with SlackAPI() as slack:
        settings = configure(SLACK_BOT_TOKEN="xoxb-crash", SLACK_API_URL=slack.url,
                             CAMPAIGN_SLACK_TEST_USER="UTESTER",
                             CAMPAIGN_SEND_RATE='{"slack_dm": 300}', **LEASE)
        state = StateStore.from_settings(settings)
        n = 900
        ids = load_members(members, n)
        cid = new_campaign(state, ids, channels=("slack_dm",))
        first = Worker(tmp_path, "--tick-s", "0.5")
        sent = "SELECT COUNT(*) FROM campaign_recipients WHERE state = 'sent'"
        # Killed between posting and marking: DMs out that the state database does not
        # know about, which the next worker must find in the DM's history.
        wait_for(lambda: len(slack.posted("DUTESTER")) > count(state, sent) > 0,
                 "DMs posted but not yet marked", [first], step=0.005)
        first.kill()
        assert len(slack.posted("DUTESTER")) > count(state, sent)
        second = Worker(tmp_path, "--tick-s", "0.5")
        try:
            wait_for(lambda: campaign_state(state, cid) == "done", "the campaign done",
                     [second])
        finally:
            assert second.stop() == 0, second.output()
        keys = [m["metadata"]["event_payload"]["key"] for m in slack.posted("DUTESTER")]
        assert len(keys) == len(set(keys)) == n
        assert set(keys) == {f"{cid}:{m}:slack_dm" for m in ids}
        assert slack.of("conversations.history")  # the retry looked before posting
