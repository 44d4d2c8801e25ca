"""Messages to the app, end to end: encrypted callback → empty 200 → the real agent over the
small chain → replies through the mock WeCom API (token, message/send, media/upload)."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest

from copilot.channels import render
from copilot.channels.wecom.api import MARKDOWN_LIMIT
from copilot.channels.wecom.conversation import NOT_TEXT
from tests.agent.conftest import converse
from tests.channels.wecom.conftest import AGENT_ID, ASKED_AT, OpenWeCom, WeCom, other_message
from tests.support.openai_server import OpenAIServer, Reply
from tests.tools import chain
from tests.tools.fixtures import Ask

QUESTION = "朝阳店今年复购率"
UNREGISTERED = "还没有登记为门店员工"


def contents(messages: list[dict]) -> list[str]:
    return [m["markdown"]["content"] for m in messages if m["msgtype"] == "markdown"]


def test_a_linked_user_gets_one_answer_with_the_tools_figure(wecom: WeCom, ask: Ask) -> None:
    wecom.link("zhaomin", "E03")  # 赵敏, store manager of S001 (朝阳店)
    got = wecom.say("zhaomin", QUESTION, msg_id="5001")
    assert got.status_code == 200 and got.content == b""
    wecom.settle()

    [reply] = wecom.api.sent
    assert reply["touser"] == "zhaomin" and reply["agentid"] == AGENT_ID
    assert reply["msgtype"] == "markdown"
    content = reply["markdown"]["content"]
    # The turn the gate recorded is the one answered, in the one-to-one thread of the user.
    [turn] = wecom.turns()
    assert (turn["channel"], turn["thread"], turn["staff_id"], turn["direct"]) == \
        ("wecom", "zhaomin", "E03", 1)
    assert turn["question"] == QUESTION
    # The figure is the tool's own: run the tool the agent called, with its arguments.
    [called] = json.loads(turn["tools"])
    assert called["name"] == "member_metrics" and called["ok"]
    outcome = ask("E03", "member_metrics", called["args"], direct=True)
    row = outcome.result.as_json()["rows"][0]
    assert row["name"] == "复购率" and f"{row['name']} | {row['display']}" in content
    assert "今年" in content and "北京朝阳大悦城店" in content
    # And the whole reply is what the same question answers in a fresh conversation.
    [same] = converse(wecom.settings, [("E03", QUESTION)], thread="again", direct=True,
                      channel="wecom")
    assert content == render.markdown(render.view(same))


def test_the_callback_is_answered_before_the_reply_goes_out(wecom: WeCom) -> None:
    wecom.link("zhaomin", "E03")
    with wecom.api.holding_sends():
        started = time.monotonic()
        got = wecom.say("zhaomin", QUESTION)
        took = time.monotonic() - started
        assert got.status_code == 200 and got.content == b"" and took < 5
        assert wecom.api.calls_to("message/send") == []  # the reply is still being held
    wecom.settle()
    assert len(wecom.to("zhaomin")) == 1


def test_wecom_retries_get_no_second_answer(wecom: WeCom) -> None:
    wecom.link("zhaomin", "E03")
    for _ in range(3):  # the first delivery and WeCom's retries, same MsgId
        assert wecom.say("zhaomin", QUESTION, msg_id="7001").status_code == 200
    wecom.settle()
    assert len(wecom.api.sent) == 1 and len(wecom.turns()) == 1
    assert wecom.say("zhaomin", QUESTION, msg_id="7002").status_code == 200  # a new message
    wecom.settle()
    assert len(wecom.api.sent) == 2 and len(wecom.turns()) == 2


def test_an_unregistered_user_gets_the_polite_reply_and_no_turn(wecom: WeCom) -> None:
    wecom.say("stranger", QUESTION)
    wecom.settle()
    [reply] = wecom.api.sent
    assert reply["touser"] == "stranger" and UNREGISTERED in reply["markdown"]["content"]
    assert "复购率" not in reply["markdown"]["content"]
    assert wecom.turns() == []


def test_an_expired_token_is_refreshed_once_and_the_reply_still_arrives(wecom: WeCom) -> None:
    wecom.link("zhaomin", "E03")
    wecom.say("zhaomin", QUESTION, msg_id="1")
    wecom.settle()
    assert wecom.api.token_fetches == 1
    wecom.api.expire_token()
    wecom.say("zhaomin", "朝阳店本月复购率", msg_id="2")
    wecom.settle()
    assert wecom.api.token_fetches == 2
    sends = wecom.api.calls_to("message/send")
    assert [c.errcode for c in sends] == [0, 42001, 0]
    assert sends[1].query["access_token"] != sends[2].query["access_token"]
    assert "本月" in wecom.to("zhaomin")[-1]["markdown"]["content"]


def test_the_token_is_fetched_once_for_many_messages(wecom: WeCom) -> None:
    wecom.link("zhaomin", "E03")
    wecom.link("wangfang", "E01")
    wecom.say("zhaomin", QUESTION, msg_id="1")
    wecom.say("wangfang", "我的会员里谁最近没来", msg_id="2")
    wecom.settle()
    assert len(wecom.to("zhaomin")) == 1 and len(wecom.to("wangfang")) == 1
    assert wecom.api.token_fetches == 1
    tokens = {c.query["access_token"] for c in wecom.api.calls_to("message/send")}
    assert len(tokens) == 1


def test_a_chart_is_uploaded_and_sent_as_an_image(wecom: WeCom, settings) -> None:
    wecom.link("chenjing", "E05")  # 陈静, supervisor of 华北
    wecom.say("chenjing", "诊断一下西单店")
    wecom.settle()
    [upload] = wecom.api.calls_to("media/upload")
    assert upload.errcode == 0 and upload.query["type"] == "image"
    chart = Path(settings.data_dir) / "charts" / upload.body.filename
    assert upload.body.field == "media" and upload.body.data == chart.read_bytes()
    messages = wecom.to("chenjing")
    assert [m["msgtype"] for m in messages] == ["markdown", "image"]
    assert messages[1]["image"]["media_id"] == upload.reply["media_id"]
    text = messages[0]["markdown"]["content"]
    assert "诊断图:见下图" in text and str(settings.data_dir) not in text  # no server path


def test_a_long_answer_is_split_within_wecoms_limit(open_wecom: OpenWeCom,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A model's long answer (here from a local OpenAI-protocol server) goes out as several
    markdown messages, none over WeCom's limit, in order and losing nothing."""
    lines = [f"第{i}步:先看会员复购,再看新客转化,最后安排导购跟进,每一步都记下结果。"
             for i in range(1, 81)]
    long_answer = "\n".join(lines)
    with OpenAIServer(responder=lambda body: Reply.text(long_answer)) as llm:
        wecom = open_wecom(llm_provider="openai", llm_base_url=llm.url, llm_model="test-model",
                           llm_api_key="sk-test")
        wecom.link("zhaomin", "E03")
        wecom.say("zhaomin", "给我一份跟进会员的详细步骤")
        wecom.settle()
    [turn] = wecom.turns()
    assert turn["answer"] == long_answer  # the agent's answer, as the model gave it
    pieces = contents(wecom.to("zhaomin"))
    assert len(long_answer.encode()) > 3 * MARKDOWN_LIMIT and len(pieces) >= 4
    assert all(len(p.encode("utf-8")) <= MARKDOWN_LIMIT <= 4096 for p in pieces)
    assert "\n".join(pieces).splitlines() == lines
    assert all(c.errcode == 0 for c in wecom.api.calls_to("message/send"))


def test_a_pending_action_is_confirmed_by_replying_in_the_same_chat(wecom: WeCom) -> None:
    wecom.link("zhaomin", "E03")
    wecom.say("zhaomin", "朝阳店 金卡 存成 金卡组", msg_id="1")
    wecom.settle()
    wecom.say("zhaomin", "删除分组 金卡组", msg_id="2")
    wecom.settle()
    asked = contents(wecom.to("zhaomin"))[-1]
    assert "金卡组" in asked and "确认" in asked and "取消" in asked
    wecom.say("zhaomin", "确认", msg_id="3")
    wecom.settle()
    assert "已删除分组“金卡组”" in contents(wecom.to("zhaomin"))[-1]


def test_non_text_messages_get_a_hint_and_events_nothing(wecom: WeCom) -> None:
    wecom.link("zhaomin", "E03")
    image = "<PicUrl><![CDATA[http://example.invalid/p.jpg]]></PicUrl><MediaId>m1</MediaId>"
    assert wecom.deliver(other_message("zhaomin", "image", image)).status_code == 200
    voice = "<MediaId>v1</MediaId><Format><![CDATA[amr]]></Format>"
    assert wecom.deliver(other_message("stranger", "voice", voice, msg_id="2002")) \
        .status_code == 200
    enter = "<Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey>"
    assert wecom.deliver(other_message("zhaomin", "event", enter, msg_id=None)) \
        .status_code == 200
    wecom.settle()
    assert contents(wecom.to("zhaomin")) == [NOT_TEXT]  # the image; entering the app: nothing
    [refusal] = contents(wecom.to("stranger"))
    assert UNREGISTERED in refusal
    assert wecom.turns() == []


def test_when_wecom_refuses_the_reply_the_failure_is_logged(
        open_wecom: OpenWeCom, caplog: pytest.LogCaptureFixture) -> None:
    wecom = open_wecom(wecom_secret="wrong-secret")
    wecom.link("zhaomin", "E03")
    with caplog.at_level(logging.WARNING, logger="copilot.channels.wecom"):
        assert wecom.say("zhaomin", QUESTION).status_code == 200
        wecom.settle()
    assert wecom.api.sent == [] and wecom.api.token_fetches == 1
    assert "not delivered" in caplog.text and "COPILOT_WECOM_SECRET" in caplog.text
    assert "wrong-secret" not in caplog.text


def test_the_day_asked_is_the_day_of_the_message(wecom: WeCom) -> None:
    """CreateTime decides what "今年"/"上个月" mean, not the clock when the reply is worked
    out: a message sent on 10-15 asks about this year up to 10-14."""
    wecom.link("zhaomin", "E03")
    sent_on = chain.TODAY - timedelta(days=41)
    wecom.say("zhaomin", QUESTION, created=ASKED_AT - 41 * 86400)
    wecom.settle()
    yesterday = sent_on - timedelta(days=1)
    period = f"今年({sent_on.year}-01-01 ~ {yesterday.isoformat()}"
    assert period in wecom.to("zhaomin")[0]["markdown"]["content"]
