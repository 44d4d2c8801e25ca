"""The history an LLM is sent: the current turn whole, earlier turns as far as
`history_tokens` allows; the stored thread and the offline model keep everything.

Counted the way the middleware counts (copilot.agent.middleware._count): tiktoken's
cl100k_base tokens of each message's text plus 4 per message; the system prompt is outside
the budget.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from langchain.agents.middleware import ModelRequest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import Field

from copilot.agent.memory import thread_key
from copilot.agent.middleware import TURN_KEY, TurnPrompt
from copilot.agent.offline.model import OfflineChatModel
from copilot.agent.offline.vocab import VocabularySource
from copilot.agent.service import Copilot
from copilot.agent.toolkit import TurnContext, TurnInfo
from copilot.config import Settings
from copilot.data.store import MemberStore
from knowledge.tokens import count_tokens
from tests.agent.conftest import converse
from tests.support.openai_server import Reply
from tests.tools import chain

BUDGET = 500
OVERHEAD = 4  # per message, as _count adds it
FOLLOW_UP = ["朝阳店上个月复购率", *["帮助"] * 10, "那区域平均呢?"]


def cost(contents: list[str]) -> int:
    return sum(count_tokens(c) + OVERHEAD for c in contents)


def answer(n: int) -> str:
    """About 300 characters, different every turn."""
    return (f"第{n}轮回答:朝阳店本月会员复购率与上月持平,金卡会员回店次数略有下降,"
            "建议店长安排导购对九十天未到店的金卡会员做一对一企微邀约,并结合会员日活动推送新品。"
            * 4)[:300]


@pytest.fixture
def llm(llm: Settings) -> Settings:
    """The conftest's LLM settings with a small history budget."""
    return llm.model_copy(update={"history_tokens": BUDGET})


def thread_of(settings: Settings, turns: list[tuple[str, str]]) -> list[BaseMessage]:
    """Run the turns in thread t1 (one event loop), then read the stored thread back."""

    async def run() -> list[BaseMessage]:
        async with Copilot.open(settings) as copilot:
            for who, said in turns:
                await copilot.turn(said, staff_id=who, thread="t1", channel="test",
                                   today=chain.TODAY)
            config = {"configurable": {"thread_id": thread_key("test", "t1")}}
            return (await copilot.graph.aget_state(config)).values["messages"]

    return asyncio.run(run())


def history(request: Any) -> list[dict[str, Any]]:
    system, *rest = request.body["messages"]
    assert system["role"] == "system"
    return rest


def test_a_long_thread_is_trimmed_to_the_budget_but_stored_whole(llm, server) -> None:
    questions = [f"第{n}个问题:朝阳店这周会员情况怎么样?" for n in range(1, 13)]
    counter = iter(range(1, 13))
    server.responder = lambda body: Reply.text(answer(next(counter)))
    stored = thread_of(llm, [("E01", q) for q in questions])

    assert [m.text for m in stored] == [t for n, q in enumerate(questions, 1)
                                        for t in (q, answer(n))]
    assert cost([m.text for m in stored]) > 3 * BUDGET  # the budget really bites
    assert len(server.chat_requests) == 12
    for n, req in enumerate(server.chat_requests, 1):
        sent = history(req)
        assert sent[0]["role"] == "user"
        assert (sent[-1]["role"], sent[-1]["content"]) == ("user", questions[n - 1])
        assert cost([m["content"] for m in sent]) <= BUDGET

    last = [m["content"] for m in history(server.chat_requests[-1])]
    assert 3 <= len(last) < 23  # the previous exchange is there, older ones left out...
    assert last == [m.text for m in stored[-len(last) - 1:-1]]  # ...as a recent suffix
    # ...and the longest one that fits: one more exchange would go over the budget.
    assert cost([m.text for m in stored[-len(last) - 3:-1]]) > BUDGET


def test_the_offline_model_reads_the_whole_thread(settings: Settings, chain_store,
                                                  talk) -> None:
    tight = settings.model_copy(update={"history_tokens": BUDGET})
    results = talk("E01", *FOLLOW_UP, settings=tight)
    assert cost([r.answer for r in results[1:-1]]) > 2 * BUDGET
    (call,) = results[-1].tool_calls
    assert call.name == "member_metrics" and call.ok
    assert call.result["scope"] == "北京朝阳大悦城店(S001)"  # the first turn's store...
    assert call.result["period"].startswith("上个月")  # ...and period
    assert [c["kind"] for row in call.result["rows"] for c in row["comparisons"]] == ["region"]


class Recording(OfflineChatModel):
    """The offline model, noting the questions each call was given."""

    seen: list[list[str]] = Field(default_factory=list)

    def respond(self, messages: list[BaseMessage]) -> AIMessage:
        self.seen.append([m.text for m in messages if isinstance(m, HumanMessage)])
        return super().respond(messages)


@pytest.mark.parametrize("offline", [True, False], ids=["offline", "as-if-llm"])
def test_only_llms_are_trimmed(settings: Settings, chain_store: MemberStore,
                               offline: bool) -> None:
    tight = settings.model_copy(update={"history_tokens": BUDGET})
    model = Recording(vocabulary=VocabularySource.from_store(chain_store), offline=offline)
    results = converse(tight, [("E01", m) for m in FOLLOW_UP], model=model)
    last = model.seen[-1]
    if offline:  # every question of the thread, the first one included
        assert last == FOLLOW_UP
        assert [c.name for c in results[-1].tool_calls] == ["member_metrics"]
    else:  # the same model marked as an LLM: trimmed, the first question forgotten
        assert last[-1] == FOLLOW_UP[-1] and FOLLOW_UP[0] not in last
        assert results[-1].tool_calls == []


def request(messages: list[BaseMessage], *, turn: bool = True) -> ModelRequest:
    info = TurnInfo(today="2026-11-25", staff_id="E01", name="王芳", role="staff",
                    store_id="S001", store_name="北京朝阳大悦城店", region="华北", direct=False)
    runtime = SimpleNamespace(context=TurnContext(tools=None, info=info))  # type: ignore[arg-type]
    return ModelRequest(model=OfflineChatModel(), messages=messages,
                        runtime=runtime if turn else None)  # type: ignore[arg-type]


def long(n: int) -> str:
    return "复购" * n  # two tokens a repeat


def test_prepare_keeps_whole_exchanges_and_adds_the_turn_prompt() -> None:
    call = {"name": "member_metrics", "args": {"store": "S001"}, "id": "c1", "type": "tool_call"}
    old = [HumanMessage("旧问题"), AIMessage("", tool_calls=[call]),
           ToolMessage(long(150), tool_call_id="c1"), AIMessage(long(100))]
    new = [HumanMessage("新问题"), AIMessage(long(50)), HumanMessage("再问")]
    out = TurnPrompt(BUDGET)._prepare(request(old + new))
    assert out.messages == new  # the old exchange with its tool result goes as a whole
    assert TURN_KEY in out.system_message.additional_kwargs
    assert "今天:2026-11-25" in out.system_message.text
    everything = TurnPrompt(None)._prepare(request(old + new))
    assert everything.messages == old + new
    untouched = request(old + new, turn=False)  # no turn context: left as it is
    assert TurnPrompt(BUDGET)._prepare(untouched) is untouched


def test_prepare_never_starts_on_a_tool_result() -> None:
    call = {"name": "query_members", "args": {}, "id": "c1", "type": "tool_call"}
    # The tool result and what follows would fit; the question that asked for it does not.
    messages = [HumanMessage(long(300)), AIMessage("", tool_calls=[call]),
                ToolMessage("三位会员", tool_call_id="c1"), AIMessage("好的"),
                HumanMessage("下一个问题")]
    out = TurnPrompt(BUDGET)._prepare(request(messages))
    assert out.messages == messages[-1:]


def test_prepare_sends_the_current_turn_whole_even_over_the_budget() -> None:
    call = {"name": "member_metrics", "args": {"chain": True}, "id": "c1", "type": "tool_call"}
    earlier = [HumanMessage("上一个问题"), AIMessage("上一个回答")]
    current = [HumanMessage("全连锁指标"), AIMessage("", tool_calls=[call]),
               ToolMessage(long(400), tool_call_id="c1")]
    out = TurnPrompt(BUDGET)._prepare(request(earlier + current))
    assert out.messages == current  # nothing earlier fits beside it


def test_the_latest_question_is_sent_even_when_it_is_over_the_budget(llm, server) -> None:
    question = "朝阳店上个月复购率怎么样?" * 60  # 780 characters, under MAX_MESSAGE
    assert count_tokens(question) > BUDGET
    server.script(Reply.text("收到。"), Reply.text("好。"))
    thread_of(llm, [("E01", question), ("E01", "那区域呢?")])
    assert [m["content"] for m in history(server.chat_requests[0])] == [question]
    # Next turn: the long exchange no longer fits and is left out whole.
    assert [m["content"] for m in history(server.chat_requests[1])] == ["那区域呢?"]


def test_the_current_question_and_its_tool_result_are_sent(llm, server) -> None:
    args = {"chain": True, "compare": ["previous", "last_year"]}
    server.script(Reply.tool_calls([("member_metrics", args)]), Reply.text("全连锁如上。"))
    stored = thread_of(llm, [("E06", "全连锁这个月的会员指标,和上期、去年比")])
    assert count_tokens(stored[2].text) > BUDGET  # the tool result alone
    sent = history(server.chat_requests[1])
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    assert sent[2]["content"] == stored[2].text
