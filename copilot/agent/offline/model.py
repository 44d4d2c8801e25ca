"""The offline chat model: a LangChain chat model that understands ops requests by rule.

It plugs into the same agent loop as any LLM: given the conversation it answers with tool
calls, a question, or (after tool results) an answer composed from them. Deterministic,
no network, a few milliseconds a turn. The turn's facts (today, who asks) come from the
system message the loop builds; the last request of the thread is kept on its own
messages (`copilot_plan`) so follow-ups and answers to its questions continue it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict

from copilot.agent.middleware import TURN_KEY
from copilot.agent.offline.campaigns import after
from copilot.agent.offline.compose import from_results, reply
from copilot.agent.offline.extract import extract
from copilot.agent.offline.plan import Plan, Prior, plan
from copilot.agent.offline.vocab import Vocabulary, VocabularySource
from copilot.agent.toolkit import TurnInfo

PLAN_KEY = "copilot_plan"


class OfflineChatModel(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    vocabulary: VocabularySource = VocabularySource()
    offline: bool = True

    @property
    def _llm_type(self) -> str:
        return "copilot-offline"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> OfflineChatModel:
        return self  # it knows the registered tools by name

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: Any = None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.respond(messages))])

    def respond(self, messages: list[BaseMessage]) -> AIMessage:
        info = _turn(messages)
        results = _new_results(messages)
        if results and (ask := after(results)):  # a preview waits for its confirmation
            return AIMessage(content="", tool_calls=[
                {"name": "confirm_campaign", "args": ask, "type": "tool_call",
                 "id": f"call_{uuid.uuid4().hex[:12]}"}],
                additional_kwargs={PLAN_KEY: {"tool": "confirm_campaign", "args": ask}})
        if results:
            return AIMessage(content=from_results(results, "en" if _asked_en(messages) else "zh"))
        said = _last_human(messages)
        sig = extract(said, self.vocabulary.get(), _today(info))
        return _message(plan(sig, info, _prior(messages)), sig.lang)


def _turn(messages: list[BaseMessage]) -> TurnInfo:
    for m in messages:
        if isinstance(m, SystemMessage) and TURN_KEY in m.additional_kwargs:
            return TurnInfo(**m.additional_kwargs[TURN_KEY])
    raise ValueError("the offline model needs the turn prompt (copilot.agent.middleware)")


def _today(info: TurnInfo) -> Any:
    from datetime import date

    return date.fromisoformat(info.today)


def _last_human(messages: list[BaseMessage]) -> str:
    return next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")


def _asked_en(messages: list[BaseMessage]) -> bool:
    from copilot.agent.offline.extract import _lang, clean

    return _lang(clean(_last_human(messages))) == "en"


def _new_results(messages: list[BaseMessage]) -> list[ToolMessage]:
    """Tool results that answer this model's latest tool calls (not yet answered)."""
    tail: list[ToolMessage] = []
    for m in reversed(messages):
        if isinstance(m, ToolMessage):
            tail.append(m)
        else:
            break
    return list(reversed(tail))


def _prior(messages: list[BaseMessage]) -> Prior | None:
    """The last request in this thread, from the model's own notes or plain tool calls,
    with what its first tool returned."""
    earlier = messages[:-1]
    for i in range(len(earlier) - 1, -1, -1):
        m = earlier[i]
        if not isinstance(m, AIMessage):
            continue
        memo = m.additional_kwargs.get(PLAN_KEY) or {}
        if not memo and not m.tool_calls:
            continue
        after = earlier[i + 1] if i + 1 < len(earlier) else None
        art = after.artifact if isinstance(after, ToolMessage) else None
        result = art.get("result") if isinstance(art, dict) else None
        if memo:
            return Prior(memo.get("tool"), dict(memo.get("args") or {}), memo.get("missing"),
                         result, memo.get("pick"))
        call = m.tool_calls[0]
        return Prior(call["name"], dict(call["args"]), result=result)
    return None


def _message(p: Plan, lang: str) -> AIMessage:
    memo = {PLAN_KEY: p.memo()}
    if p.calls:
        calls = [{"name": n, "args": a, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}
                 for n, a in p.calls]
        return AIMessage(content="", tool_calls=calls, additional_kwargs=memo)
    text = p.error if p.error else reply(p.reply or "not_understood", lang)
    return AIMessage(content=text, additional_kwargs=memo)


def fixed_vocabulary(vocab: Vocabulary) -> VocabularySource:
    """A source that always gives `vocab` (tests and tools that know their data)."""
    source = VocabularySource()
    source._cached = ("fixed", vocab)
    source._load = lambda: ("fixed", vocab)
    return source


Loader = Callable[[], Vocabulary]
