"""The loop under pressure: concurrent turns, stale confirmations, echoed phone numbers."""

from __future__ import annotations

import asyncio
import time

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from copilot.agent.middleware import KeepRecent
from copilot.agent.service import Copilot
from copilot.agent.turn import decision
from copilot.config import Settings
from tests.agent.conftest import converse
from tests.tools import chain
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool


def _segments(settings: Settings, store) -> str:
    return run_tool(make_ctx(settings, store, "E03"), "list_segments", {}).text()


def test_concurrent_confirmations_run_the_action_once(settings: Settings, chain_store) -> None:
    converse(settings, [("E03", "朝阳店 金卡 存成 金卡组"), ("E03", "删除分组 金卡组")], thread="c")

    async def run() -> list:
        async with Copilot.open(settings) as copilot:
            return await asyncio.gather(*[
                copilot.turn("确认", staff_id="E03", thread="c", channel="test",
                             today=chain.TODAY) for _ in range(3)])

    results = asyncio.run(run())
    deletes = [c for r in results for c in r.tool_calls if c.name == "delete_segment"]
    assert len(deletes) == 1 and deletes[0].ok
    assert "金卡组" not in _segments(settings, chain_store)


def test_a_confirmation_left_too_long_is_cancelled_not_approved(settings: Settings,
                                                                chain_store) -> None:
    cfg = settings.model_copy(update={"confirm_ttl_s": 1})
    converse(cfg, [("E03", "朝阳店 金卡 存成 金卡组"), ("E03", "删除分组 金卡组")], thread="t")
    time.sleep(1.5)
    [late] = converse(cfg, [("E03", "确认")], thread="t")
    assert all(c.name != "delete_segment" for c in late.tool_calls)
    assert "超时取消" in late.answer and late.pending_action is None
    assert "金卡组" in _segments(cfg, chain_store)


def test_group_answers_mask_any_phone_number_they_echo(talk) -> None:
    [group] = talk("E01", "how do I follow up with the customer whose phone is 15800207582?")
    [direct] = talk("E01", "how do I follow up with the customer whose phone is 15800207582?",
                    thread="dm", direct=True)
    assert "15800207582" not in group.answer and "158****7582" in group.answer
    assert "15800207582" in direct.answer


def test_group_and_one_to_one_threads_do_not_share_memory(talk) -> None:
    talk("E03", "朝阳店上个月复购率", thread="same", direct=True)
    [group] = talk("E03", "那区域平均呢?", thread="same")
    assert group.tool_calls == []  # nothing to continue from in the group thread


def test_questions_are_not_confirmations() -> None:
    for said in ("确定?", "是?", "ok?", "确认一下人数"):
        assert decision(said) is None, said
    for said in ("确认", "确认删除吧", "好的!", "@小助手 确认", "yes"):
        assert decision(said) == "approve", said
    for said in ("取消", "算了吧", "不要", "don't"):
        assert decision(said) == "reject", said


def test_memory_keeps_recent_messages_from_a_question_on() -> None:
    msgs = []
    for i in range(6):
        msgs += [HumanMessage(f"q{i}", id=f"h{i}"),
                 AIMessage("", id=f"a{i}", tool_calls=[{"name": "t", "args": {}, "id": f"c{i}"}]),
                 ToolMessage("r", tool_call_id=f"c{i}", id=f"t{i}"),
                 AIMessage(f"answer {i}", id=f"z{i}")]
    removed = KeepRecent(limit=10).before_agent({"messages": msgs}, None)
    assert removed is not None
    gone = {m.id for m in removed["messages"]}
    kept = [m for m in msgs if m.id not in gone]
    assert kept[0].type == "human" and len(kept) <= 10
    assert KeepRecent(limit=100).before_agent({"messages": msgs}, None) is None


def test_a_question_about_the_action_keeps_it_waiting(settings: Settings, chain_store) -> None:
    turns = [("E03", "朝阳店 金卡 存成 金卡组"), ("E03", "删除分组 金卡组"), ("E03", "确定?"),
             ("E03", "确认")]
    *_, asked, done = converse(settings, turns)
    assert asked.pending_action is not None and "请回复“确认”" in asked.answer
    assert [c.name for c in done.tool_calls] == ["delete_segment"] and done.tool_calls[0].ok


def test_a_one_to_one_thread_belongs_to_its_person(settings: Settings, chain_store) -> None:
    converse(settings, [("E03", "朝阳店上个月复购率")], thread="mine", direct=True)
    [other] = converse(settings, [("E01", "那区域平均呢?")], thread="mine", direct=True)
    assert other.tool_calls == []  # E01 cannot continue E03's one-to-one conversation
