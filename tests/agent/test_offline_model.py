"""The offline model as a LangChain chat model: the turn prompt in, tool calls out, and
answers composed only from what the tools returned."""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from copilot.agent.middleware import turn_prompt
from copilot.agent.offline.compose import reply
from copilot.agent.offline.model import PLAN_KEY, OfflineChatModel, fixed_vocabulary
from copilot.agent.toolkit import TurnInfo
from tests.agent.offline_data import STAFF, SUPERVISOR, TRAINEE, VOCAB
from tools.member_metrics import MemberMetricsResult, MetricRow

METRICS_ARGS = {"store": "S001", "period": "上个月", "metrics": ["repurchase_rate"],
                "compare": []}


@pytest.fixture
def model() -> OfflineChatModel:
    return OfflineChatModel(vocabulary=fixed_vocabulary(VOCAB))


def ask(model: OfflineChatModel, *texts: str, info: TurnInfo = STAFF) -> AIMessage:
    msg = model.invoke([turn_prompt(info), *(HumanMessage(t) for t in texts)])
    assert isinstance(msg, AIMessage)
    return msg


def answered(model: OfflineChatModel, question: str, results: list[tuple[str, Any]],
             info: TurnInfo = STAFF) -> tuple[AIMessage, str]:
    """Ask, then hand back one ToolMessage per (content, artifact) for the calls made."""
    history: list[BaseMessage] = [turn_prompt(info), HumanMessage(question)]
    call = model.invoke(history)
    assert call.tool_calls, call.content
    tool_msgs = [ToolMessage(content=text, tool_call_id=c["id"], artifact=art)
                 for c, (text, art) in zip(call.tool_calls, results, strict=False)]
    answer = model.invoke([*history, call, *tool_msgs])
    assert isinstance(answer, AIMessage) and not answer.tool_calls
    return call, answer.text


def artifact(name: str, result: dict | None = None, *, ok: bool = True, error: str | None = None,
             citations: list[dict] | None = None) -> dict[str, Any]:
    return {"name": name, "args": {}, "ok": ok, "error": error, "citations": citations or [],
            "result": result}


def metrics_result() -> MemberMetricsResult:
    row = MetricRow(key="repurchase_rate", name="复购率", unit="%", value=23.5, display="23.5%",
                    numerator=47, denominator=200,
                    definition="期内消费2次及以上的会员 ÷ 期内消费会员。")
    return MemberMetricsResult(scope="北京朝阳大悦城店(S001)",
                               period="上个月 2026-06-01 ~ 2026-06-30",
                               start="2026-06-01", end="2026-06-30", rows=[row])


def test_a_question_becomes_one_tool_call_with_a_memo(model: OfflineChatModel) -> None:
    msg = ask(model, "朝阳店上个月复购率多少")
    assert msg.content == ""
    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [("member_metrics", METRICS_ARGS)]
    assert msg.tool_calls[0]["id"].startswith("call_")
    assert msg.additional_kwargs[PLAN_KEY] == {"tool": "member_metrics", "args": METRICS_ARGS,
                                               "pick": None}


def test_the_turn_prompt_decides_whose_store_is_meant(model: OfflineChatModel) -> None:
    staff = ask(model, "复购率多少").tool_calls[0]["args"]
    supervisor = ask(model, "复购率多少", info=SUPERVISOR).tool_calls[0]["args"]
    assert (staff.get("store"), supervisor.get("region")) == ("S001", "华北")
    assert "store" not in supervisor


def test_the_same_input_gives_the_same_call(model: OfflineChatModel) -> None:
    first, second = (ask(model, "金卡 90天没来 消费两千以上的会员 存成分组 叫金卡召回")
                     for _ in range(2))
    assert [c["args"] for c in first.tool_calls] == [c["args"] for c in second.tool_calls]
    assert first.tool_calls[0]["args"] == {"save_as": "金卡召回", "tiers": ["金卡"],
                                           "days_since_min": 90, "spend_min": 2000}


def test_without_the_turn_prompt_the_model_refuses(model: OfflineChatModel) -> None:
    with pytest.raises(ValueError, match="turn prompt"):
        model.invoke([HumanMessage("朝阳店上个月复购率多少")])


def test_bind_tools_gives_the_model_itself(model: OfflineChatModel) -> None:
    assert model.bind_tools([]) is model
    assert model._llm_type == "copilot-offline"


@pytest.mark.parametrize(("text", "info", "key"), [
    ("你好", STAFF, "greet"), ("帮助", STAFF, "help"),
    ("朝阳店复购率多少", TRAINEE, "trainee_no_data"),
    ("把所有会员手机号导出来", STAFF, "privacy_abuse"), ("帮我诊断一下", SUPERVISOR, "ask_store"),
])
def test_fixed_replies_are_the_reply_texts(model: OfflineChatModel, text: str, info: TurnInfo,
                                          key: str) -> None:
    msg = ask(model, text, info=info)
    assert msg.tool_calls == [] and msg.content == reply(key, "zh")


def test_english_fixed_reply(model: OfflineChatModel) -> None:
    assert ask(model, "what can you do").content == reply("help", "en")


def test_a_period_error_is_passed_on(model: OfflineChatModel) -> None:
    msg = ask(model, "本季度复购率")
    assert msg.tool_calls == [] and "本季度" in msg.text and "2026-07-01" in msg.text


def test_the_answer_is_the_tools_text_with_its_sources(model: OfflineChatModel) -> None:
    cite = {"playbook": "repurchase", "title": "复购提升", "section": "复购提升 > 具体步骤"}
    text = metrics_result().text()
    _, answer = answered(model, "朝阳店上个月复购率多少", [(text, artifact(
        "member_metrics", metrics_result().as_json(), citations=[cite, dict(cite)]))])
    assert answer.startswith(text)
    assert answer.endswith("出处:\n- 复购提升 · 复购提升 > 具体步骤")  # listed once


def test_no_sources_section_without_citations(model: OfflineChatModel) -> None:
    text = metrics_result().text()
    _, answer = answered(model, "朝阳店上个月复购率多少",
                         [(text, artifact("member_metrics", metrics_result().as_json()))])
    assert answer == text


def test_an_error_artifact_gives_the_error(model: OfflineChatModel) -> None:
    error = "“大悦城店”可能是这些门店:北京朝阳大悦城店(S001)、北京西单大悦城店(S002)。"
    _, answer = answered(model, "大悦城店复购率", [
        (error, artifact("member_metrics", ok=False, error=error))])
    assert answer == error


def test_a_rejected_confirmation_is_cancelled(model: OfflineChatModel) -> None:
    call, answer = answered(model, "删除分组 银卡召回", [("rejected", None)])
    assert call.tool_calls[0]["name"] == "delete_segment"
    assert answer == reply("cancelled", "zh") == "好的,已取消,没有执行这个操作。"


def test_playbook_passages_are_shown_in_the_tools_order_with_titles(
        model: OfflineChatModel) -> None:
    passages = [
        {"playbook": "sleep", "title": "沉睡会员激活", "section": "沉睡会员激活 > 具体步骤",
         "text": "第一步:先打电话问候。", "score": 0.8},
        {"playbook": "sleep", "title": "沉睡会员激活", "section": "沉睡会员激活 > 什么时候用",
         "text": "会员90天以上没有消费时使用。", "score": 0.9},
        {"playbook": "phone", "title": "电话邀约", "section": "电话邀约 > 话术",
         "text": "您好,我是朝阳店的导购。", "score": 0.7},
        {"playbook": "phone", "title": "电话邀约", "section": "电话邀约 > 注意事项",
         "text": "不要在晚上九点后打电话。", "score": 0.6},
    ]
    cites = [{k: p[k] for k in ("playbook", "title", "section")} for p in passages]
    call, answer = answered(model, "沉睡会员怎么激活", [("passages as context", artifact(
        "search_playbooks", {"query": "沉睡会员怎么激活", "passages": passages}, citations=cites))])
    assert call.tool_calls[0]["name"] == "search_playbooks"
    assert answer.startswith(reply("playbook_lead", "zh"))
    assert "passages as context" not in answer  # the passages, not the tool's wrapped text
    steps = answer.index("【沉睡会员激活 · 沉睡会员激活 > 具体步骤】\n第一步:先打电话问候。")
    intro = answer.index("【沉睡会员激活 · 沉睡会员激活 > 什么时候用】")
    other = answer.index("【电话邀约 · 电话邀约 > 话术】")
    assert steps < intro < other
    assert "不要在晚上九点后打电话" not in answer.split("出处")[0]  # three passages at most


def test_no_passages_found(model: OfflineChatModel) -> None:
    _, answer = answered(model, "沉睡会员怎么激活", [("", artifact(
        "search_playbooks", {"query": "沉睡会员怎么激活", "passages": []}))])
    assert answer == "手册里没有找到相关内容。"


def test_english_question_gets_an_english_lead_with_no_new_figures(
        model: OfflineChatModel) -> None:
    text = metrics_result().text()
    call, answer = answered(model, "S001 repurchase rate last month", [
        (text, artifact("member_metrics", metrics_result().as_json()))])
    assert call.tool_calls[0]["args"]["store"] == "S001"
    lead, rest = answer.split("\n\n", 1)
    assert lead == "Repurchase rate for 北京朝阳大悦城店(S001), 2026-06-01 to 2026-06-30:"
    assert rest == text
    assert set(re.findall(r"\d+(?:\.\d+)?", lead)) <= set(re.findall(r"\d+(?:\.\d+)?", text))


def test_english_lead_for_other_tools_names_no_figures(model: OfflineChatModel) -> None:
    _, answer = answered(model, "diagnose S002", [("诊断结果", artifact("diagnose_store", {}))],
                         info=SUPERVISOR)
    assert answer == "Store diagnosis (details in Chinese below):\n\n诊断结果"


def test_a_follow_up_continues_from_the_models_own_memo(model: OfflineChatModel) -> None:
    history: list[BaseMessage] = [turn_prompt(STAFF), HumanMessage("朝阳店上个月复购率多少")]
    call = model.invoke(history)
    text = metrics_result().text()
    done = [ToolMessage(content=text, tool_call_id=call.tool_calls[0]["id"],
                        artifact=artifact("member_metrics", metrics_result().as_json()))]
    answer = model.invoke([*history, call, *done])
    follow = model.invoke([*history, call, *done, answer, HumanMessage("那区域平均呢?")])
    assert [(c["name"], c["args"]) for c in follow.tool_calls] == [
        ("member_metrics", {**METRICS_ARGS, "compare": ["region"]})]


def test_an_answer_to_the_models_question_completes_the_request(
        model: OfflineChatModel) -> None:
    history: list[BaseMessage] = [turn_prompt(SUPERVISOR), HumanMessage("帮我诊断一下")]
    question = model.invoke(history)
    assert question.content == reply("ask_store", "zh")
    done = model.invoke([*history, question, HumanMessage("朝阳店")])
    assert [(c["name"], c["args"]) for c in done.tool_calls] == [
        ("diagnose_store", {"store": "S001", "period": "上个月"})]
