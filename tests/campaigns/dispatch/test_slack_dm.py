"""Slack DM through the local Web API mock: one DM per recipient to the test user, the key
in the message metadata, and nothing posted twice when a worker died after posting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from copilot.campaigns.dispatch.runtime import Runtime
from copilot.config import Settings, get_settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.dispatch.helpers import (
    TEXT,
    Clock,
    campaign_state,
    load_members,
    new_campaign,
    recipient_rows,
)
from tests.support.slack_api import SlackAPI

TOKEN, TESTER = "xoxb-campaign-test", "UTESTER"
DM = f"D{TESTER}"


@pytest.fixture
def slack() -> Iterator[SlackAPI]:
    with SlackAPI() as api:
        yield api


@pytest.fixture
def slack_settings(configure, slack: SlackAPI) -> Settings:
    return configure(SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=slack.url,
                     CAMPAIGN_SLACK_TEST_USER=TESTER)


def _keys(slack: SlackAPI) -> list[str]:
    return [m["metadata"]["event_payload"]["key"] for m in slack.posted(DM)]


def test_every_recipient_is_a_dm_to_the_tester_with_its_key(
        slack_settings: Settings, slack: SlackAPI, members: MemberStore) -> None:
    state = StateStore.from_settings(slack_settings)
    ids = load_members(members, 5)
    cid = new_campaign(state, ids, channels=("slack_dm",))
    rt = Runtime(slack_settings)
    assert rt.run(cid).outcome == "done"
    assert sorted(_keys(slack)) == sorted(f"{cid}:{m}:slack_dm" for m in ids)
    posts = slack.of("chat.postMessage")
    assert {(c.params["channel"], c.token) for c in posts} == {(DM, TOKEN)}
    assert all(c.params["metadata"]["event_type"] == "campaign_message" for c in posts)
    assert TEXT in posts[0].params["text"] and "M0000" in posts[0].params["text"]
    assert [c.params["users"] for c in slack.of("conversations.open")] == [TESTER]
    assert not slack.of("conversations.history")  # nothing was tried before
    rt.close()


def test_a_retry_looks_in_the_dm_first_and_posts_only_what_is_missing(
        slack_settings: Settings, slack: SlackAPI, members: MemberStore) -> None:
    state = StateStore.from_settings(slack_settings)
    ids = load_members(members, 4)
    cid = new_campaign(state, ids, channels=("slack_dm",))
    # A worker claimed M00000–M00002, posted the first two and died before marking them.
    for m in ids[:2]:
        httpx.post(slack.url + "chat.postMessage", headers={"Authorization": f"Bearer {TOKEN}"},
                   json={"channel": DM, "text": "…", "metadata": {
                       "event_type": "campaign_message",
                       "event_payload": {"key": f"{cid}:{m}:slack_dm"}}})
    with state.begin() as conn:
        conn.execute(text("UPDATE campaign_recipients SET state = 'claimed', attempts = 1, "
                          "claimed_by = 'dead', claim_until = :t WHERE member_id IN "
                          "('M00000', 'M00001', 'M00002')"),
                     {"t": get_settings().now() - timedelta(seconds=1)})
    before = len(slack.of("chat.postMessage"))
    rt = Runtime(slack_settings)
    assert rt.run(cid).sent == 4
    fresh = [c.params["metadata"]["event_payload"]["key"]
             for c in slack.of("chat.postMessage")[before:]]
    assert sorted(fresh) == [f"{cid}:M00002:slack_dm", f"{cid}:M00003:slack_dm"]
    assert sorted(_keys(slack)) == sorted(f"{cid}:{m}:slack_dm" for m in ids)  # once each
    history = slack.of("conversations.history")
    assert len(history) == 1 and history[0].params["include_all_metadata"] == "true"
    assert campaign_state(state, cid) == "done"
    rt.close()


def test_a_rate_limited_post_is_tried_again_later(
        slack_settings: Settings, slack: SlackAPI, members: MemberStore) -> None:
    state = StateStore.from_settings(slack_settings)
    cid = new_campaign(state, load_members(members, 2), channels=("slack_dm",))
    slack.fail("chat.postMessage", "ratelimited", times=2)
    clock = Clock(get_settings().now())
    rt = Runtime(slack_settings, clock=clock)
    assert rt.run(cid).retried == 2
    assert {r["reason"] for r in recipient_rows(state, cid).values()} == {
        "Slack 暂时不可用(HTTP 429)"}
    clock.advance(31)
    assert rt.run(cid).outcome == "done"
    assert len(_keys(slack)) == 2
    rt.close()


def test_a_refusal_fails_the_recipients_with_slacks_error(
        slack_settings: Settings, slack: SlackAPI, members: MemberStore) -> None:
    state = StateStore.from_settings(slack_settings)
    cid = new_campaign(state, load_members(members, 2), channels=("slack_dm",))
    slack.fail("conversations.open", "user_not_found")
    rt = Runtime(slack_settings)
    assert rt.run(cid).outcome == "failed"
    assert {r["reason"] for r in recipient_rows(state, cid).values()} == {
        "Slack 拒绝了这条消息:user_not_found"}
    rt.close()
