"""The /copilot command, confirm/cancel buttons checked on the server, 👍/👎, charts."""

from __future__ import annotations

import json

from sqlalchemy import text

from copilot.channels import records
from copilot.channels.slack import blocks
from tests.channels.slack.conftest import Slack


def _segments(slack: Slack) -> list[str]:
    with slack.state.begin() as conn:
        return [r[0] for r in conn.execute(text("SELECT name FROM segments"))]


def test_the_command_posts_the_question_and_answers_in_its_thread(slack: Slack) -> None:
    got = slack.form({"command": "/copilot", "text": "朝阳店上个月复购率", "user_id": "U03",
                      "channel_id": "C1", "channel_name": "ops", "team_id": "T1",
                      "trigger_id": "tr-1", "response_url": "http://127.0.0.1:9/x",
                      "token": "x"})
    assert got.status_code == 200
    slack.settle()
    question, answer = slack.api.wait_for("chat.postMessage", 2)
    assert "朝阳店上个月复购率" in question.params["text"] and "thread_ts" not in question.params
    assert answer.params["thread_ts"] and answer.params["channel"] == "C1"
    assert "复购率" in answer.params["text"]


def test_the_command_without_a_question_explains_itself(slack: Slack) -> None:
    slack.form({"command": "/copilot", "text": " ", "user_id": "U03", "channel_id": "C1",
                "channel_name": "ops", "team_id": "T1", "trigger_id": "tr-2", "token": "x"})
    slack.settle()
    [note] = slack.api.wait_for("chat.postEphemeral")
    assert "用法" in note.params["text"] and slack.api.of("chat.postMessage") == []


def _pending_delete(slack: Slack) -> dict:
    """Save a segment, ask to delete it: the answer carries confirm / cancel buttons."""
    slack.mention("朝阳店 金卡 存成 金卡组", ts="1700000001.000100", event_id="Ev1")
    slack.settle()
    slack.mention("把金卡组删掉", ts="1700000002.000100", thread_ts="1700000001.000100",
                  event_id="Ev2")
    slack.settle()
    post = slack.api.of("chat.postMessage")[-1]
    buttons = post.params["blocks"][-1]
    assert [e["action_id"] for e in buttons["elements"]] == [blocks.CONFIRM, blocks.CANCEL]
    return {"ts": "1700000003.000100", "thread_ts": "1700000001.000100",
            "blocks": post.params["blocks"], "text": post.params["text"],
            "value": buttons["elements"][0]["value"]}


def test_only_the_requester_can_confirm_and_a_second_press_does_nothing(
        slack: Slack) -> None:
    pending = _pending_delete(slack)
    assert _segments(slack) == ["金卡组"]
    message = {k: pending[k] for k in ("ts", "thread_ts", "blocks", "text")}
    slack.press(blocks.CONFIRM, pending["value"], user="U01", message=message)  # not theirs
    slack.press(blocks.CONFIRM, pending["value"], user="U404", message=message)  # unknown
    slack.settle()
    notes = [c.params["text"] for c in slack.api.of("chat.postEphemeral")]
    assert any("只有发起人 E03" in n for n in notes) and any("还没有登记" in n for n in notes)
    assert _segments(slack) == ["金卡组"] and slack.api.of("chat.update") == []
    slack.press(blocks.CONFIRM, pending["value"], user="U03", message=message)
    slack.press(blocks.CONFIRM, pending["value"], user="U03", message=message)
    slack.settle()
    assert _segments(slack) == []
    [update] = slack.api.of("chat.update")
    assert update.params["ts"] == "1700000003.000100" and "E03 已确认" in update.params["text"]
    done = slack.api.of("chat.postMessage")[-1]
    assert done.params["thread_ts"] == "1700000001.000100" and "删除" in done.params["text"]
    assert len(slack.api.of("chat.postMessage")) == 3  # save, ask, done: one per turn


def test_cancel_keeps_the_segment(slack: Slack) -> None:
    pending = _pending_delete(slack)
    message = {k: pending[k] for k in ("ts", "thread_ts", "blocks", "text")}
    slack.press(blocks.CANCEL, pending["value"], user="U03", message=message)
    slack.settle()
    assert _segments(slack) == ["金卡组"]
    assert "E03 已取消" in slack.api.of("chat.update")[0].params["text"]


def test_feedback_is_stored_with_the_turn(slack: Slack) -> None:
    slack.mention("朝阳店上个月复购率")
    slack.settle()
    post = slack.api.of("chat.postMessage")[0]
    turn_id = post.params["blocks"][-1]["elements"][1]["value"]
    message = {"ts": "1700000009.000100", "thread_ts": "1700000001.000100", "text": "x"}
    slack.press(blocks.FEEDBACK_DOWN, turn_id, user="U03", message=message)
    slack.press(blocks.FEEDBACK_UP, turn_id, user="U05", message=message)  # not the asker
    slack.press(blocks.FEEDBACK_UP, "no-such-turn", user="U03", message=message)
    slack.settle()
    turn = records.get_turn(slack.state, turn_id)
    assert turn is not None and turn["rating"] == -1 and turn["rated_by"] == "E03"
    notes = [c.params["text"] for c in slack.api.of("chat.postEphemeral")]
    assert "收到评价,谢谢!" in notes and any("找不到要评价" in n for n in notes)
    assert any("只有提问人可以评价" in n for n in notes)


def test_a_diagnosis_uploads_its_chart_into_the_thread(slack: Slack) -> None:
    slack.mention("诊断一下朝阳店上个月", ts="1700000001.000100")
    slack.settle()
    [post] = slack.api.of("chat.postMessage")
    assert post.params["thread_ts"] == "1700000001.000100"
    [ask] = slack.api.of("files.getUploadURLExternal")
    assert ask.params["filename"].endswith(".png")
    assert slack.api.uploads and slack.api.uploads[0].startswith(b"\x89PNG")
    assert "/charts/" not in post.params["text"] and "见下图" in post.params["text"]
    [done] = slack.api.of("files.completeUploadExternal")
    assert done.params["channel_id"] == "C1" and done.params["thread_ts"] == "1700000001.000100"
    assert json.dumps(done.params["files"], ensure_ascii=False).count("诊断图") == 1


def test_an_old_confirm_button_never_confirms_a_newer_action(slack: Slack) -> None:
    slack.mention("朝阳店 金卡 存成 金卡组", ts="1700000001.000100", event_id="Ev1")
    slack.settle()
    slack.mention("朝阳店 银卡 存成 银卡组", ts="1700000002.000100",
                  thread_ts="1700000001.000100", event_id="Ev2")
    slack.settle()
    slack.mention("把金卡组删掉", ts="1700000003.000100", thread_ts="1700000001.000100",
                  event_id="Ev3")
    slack.settle()
    old = slack.api.of("chat.postMessage")[-1]
    slack.mention("把银卡组删掉", ts="1700000004.000100", thread_ts="1700000001.000100",
                  event_id="Ev4")  # the first wait is cancelled, a new one begins
    slack.settle()
    new = slack.api.of("chat.postMessage")[-1]
    old_value = old.params["blocks"][-1]["elements"][0]["value"]
    assert old_value != new.params["blocks"][-1]["elements"][0]["value"]
    message = {"ts": "1700000010.000100", "thread_ts": "1700000001.000100",
               "blocks": old.params["blocks"], "text": old.params["text"]}
    slack.press(blocks.CONFIRM, old_value, user="U03", message=message)
    slack.settle()
    assert sorted(_segments(slack)) == ["金卡组", "银卡组"]  # nothing deleted
    reply = slack.api.of("chat.postMessage")[-1].params["text"]
    assert "已经结束或被新的请求取代" in reply and "银卡组" in reply


def test_the_command_cannot_make_the_bot_ping_the_channel(slack: Slack) -> None:
    slack.form({"command": "/copilot", "text": "&lt;!channel&gt; <@U05> 你好",
                "user_id": "U03", "channel_id": "C1", "channel_name": "ops", "team_id": "T1",
                "trigger_id": "tr-3", "token": "x"})
    slack.settle()
    question = slack.api.of("chat.postMessage")[0].params["text"]
    assert "<!channel>" not in question and "&lt;!channel&gt;" in question
    assert question.startswith("<@U03> 问:")


def test_group_answers_mask_phones_and_direct_ones_show_the_owner(slack: Slack) -> None:
    slack.mention("查一下会员张三丰", user="U01", event_id="EvG")
    dm = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U01",
          "text": "查一下会员张三丰", "ts": "1700000020.000100"}
    slack.event(dm, event_id="EvD")
    slack.settle()
    posts = {p.params["channel"]: p.params["text"] for p in slack.api.of("chat.postMessage")}
    group, direct = posts["C1"], posts["D1"]
    assert "138****1234" in group and "13812341234" not in group and "张三丰" not in group
    assert "13812341234" in direct  # one-to-one with the member's own staff
