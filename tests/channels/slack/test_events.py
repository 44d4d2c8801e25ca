"""Signed Slack events become exactly one threaded reply; forged ones reach nothing."""

from __future__ import annotations

import json
import time

from sqlalchemy import text

from copilot.config import Settings
from copilot.data.store import MemberStore
from tests.channels.slack.conftest import Slack
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool


def _texts(blocks: list[dict]) -> str:
    out = []
    for b in blocks:
        out.append((b.get("text") or {}).get("text", ""))
        out.extend(f.get("text", "") for f in b.get("fields", []))
        out.extend(e.get("text", "") for e in b.get("elements", []) if isinstance(e, dict)
                   and isinstance(e.get("text"), str))
    return "\n".join(out)


def _turns(slack: Slack) -> list[dict]:
    with slack.state.begin() as conn:
        rows = conn.execute(text("SELECT * FROM channel_turns ORDER BY created_at")).mappings()
        return [dict(r) for r in rows]


def test_a_mention_is_answered_once_in_its_thread_with_the_tools_figures(
        slack: Slack, settings: Settings, chain_store: MemberStore) -> None:
    response = slack.mention("朝阳店上个月复购率", ts="1700000001.000100")
    assert response.status_code == 200
    slack.settle()
    [post] = slack.api.wait_for("chat.postMessage")
    assert post.params["channel"] == "C1" and post.params["thread_ts"] == "1700000001.000100"
    assert post.token == "xoxb-test"
    [turn] = _turns(slack)
    assert turn["staff_id"] == "E03" and turn["thread"] == "C1:1700000001.000100"
    [call] = json.loads(turn["tools"])
    assert call["name"] == "member_metrics" and call["ok"]
    # The figures shown are the tool's own, computed again here with the same arguments.
    again = run_tool(make_ctx(settings, chain_store, "E03"), "member_metrics", call["args"])
    shown = _texts(post.params["blocks"])
    for row in again.result.as_json()["rows"]:
        assert row["display"] in shown
    # 👍/👎 buttons carry the recorded turn.
    feedback = post.params["blocks"][-1]
    assert [e["value"] for e in feedback["elements"]] == [turn["turn_id"]] * 2


def test_forged_unsigned_or_stale_requests_get_401_and_reach_nothing(slack: Slack) -> None:
    forged = slack.mention("朝阳店上个月复购率", secret="not-the-secret", event_id="Ev1")
    stale = slack.event({"type": "app_mention", "user": "U03", "text": "<@UBOT> 你好",
                         "channel": "C1", "ts": "1.1"}, event_id="Ev2",
                        ts=int(time.time()) - 600)  # signed ten minutes ago
    body = json.dumps({"type": "event_callback", "event_id": "Ev3", "event": {}})
    unsigned = slack.client.post("/slack/events", content=body,
                                 headers={"Content-Type": "application/json"})
    assert forged.status_code == stale.status_code == unsigned.status_code == 401
    slack.settle()
    assert slack.api.calls == []  # not even auth.test: nothing ran


def test_a_retried_delivery_is_answered_once(slack: Slack) -> None:
    for attempt in range(3):
        headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
        assert slack.mention("朝阳店上个月复购率", event_id="EvSame",
                             headers=headers if attempt else None).status_code == 200
    slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1 and len(_turns(slack)) == 1


def test_an_unregistered_person_gets_a_polite_note_and_nothing_else(slack: Slack) -> None:
    slack.mention("朝阳店上个月复购率", user="U404")
    slack.settle()
    [note] = slack.api.wait_for("chat.postEphemeral")
    assert note.params["user"] == "U404" and "还没有登记" in note.params["text"]
    assert slack.api.of("chat.postMessage") == [] and _turns(slack) == []


def test_the_thread_is_the_conversation(slack: Slack) -> None:
    slack.mention("朝阳店上个月复购率", ts="1700000001.000100", event_id="Ev1")
    slack.settle()
    slack.mention("那区域平均呢?", ts="1700000005.000100", thread_ts="1700000001.000100",
                  event_id="Ev2")
    slack.settle()
    first, second = _turns(slack)
    assert first["thread"] == second["thread"] == "C1:1700000001.000100"
    assert json.loads(second["tools"])[0]["args"]["compare"] == ["region"]
    posts = slack.api.of("chat.postMessage")
    assert [p.params["thread_ts"] for p in posts] == ["1700000001.000100"] * 2


def test_direct_messages_are_one_conversation_and_bot_messages_ignored(slack: Slack) -> None:
    dm = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U03",
          "text": "朝阳店上个月复购率", "ts": "1700000010.000100"}
    slack.event(dm, event_id="EvDm")
    slack.event({**dm, "user": "UBOT", "bot_id": "BBOT"}, event_id="EvBot")
    slack.event({**dm, "subtype": "message_changed"}, event_id="EvEdit")
    slack.event({**dm, "channel_type": "channel", "channel": "C1"}, event_id="EvPlain")
    slack.settle()
    slack.event({**dm, "text": "那区域平均呢?", "ts": "1700000011.000100"}, event_id="EvDm2")
    slack.settle()
    posts = slack.api.of("chat.postMessage")
    assert [p.params["channel"] for p in posts] == ["D1", "D1"]
    assert all("thread_ts" not in p.params for p in posts)  # in the chat, not a thread
    one, two = _turns(slack)
    assert one["direct"] and one["thread"] == two["thread"] == "D1"
    assert json.loads(two["tools"])[0]["args"]["compare"] == ["region"]  # it remembered


def test_the_url_check_is_answered(slack: Slack) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    from tests.channels.slack.conftest import signed_headers

    got = slack.client.post("/slack/events", content=body, headers=signed_headers(body))
    assert got.status_code == 200 and "abc123" in got.text
