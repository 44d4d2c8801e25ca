"""What the agent loop adds around the model: the turn's prompt, a history budget and
confirmation of actions.

Policies live in files (`copilot/agent/policies/`); the turn's facts (today, who asks,
group or one-to-one) are appended to them here, and also attached as structured data for
the offline model, which reads them rather than parsing prose. LLMs get the history
trimmed to a token budget counted with tiktoken; the offline model reads all of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from langchain.agents.middleware import (
    AgentMiddleware,
    HumanInTheLoopMiddleware,
    ModelRequest,
    ModelResponse,
)
from langchain_core.messages import BaseMessage, RemoveMessage, SystemMessage, trim_messages

from copilot.agent.policies import system_prompt
from copilot.agent.toolkit import TurnContext, TurnInfo, confirmed_tools

TURN_KEY = "copilot_turn"
ROLE_ZH = {"admin": "管理员", "supervisor": "督导", "store_manager": "店长", "staff": "导购",
           "trainee": "培训生"}


def turn_prompt(info: TurnInfo) -> SystemMessage:
    where = "一对一私聊" if info.direct else "群聊(个人信息须脱敏)"
    store = f",门店 {info.store_name}({info.store_id})" if info.store_id else ""
    region = f",区域 {info.region}" if info.region else ""
    facts = (f"\n\n## 本轮\n- 今天:{info.today}(相对日期都以此为准)\n"
             f"- 提问人:{info.name}({info.staff_id}),{ROLE_ZH.get(info.role, info.role)}"
             f"{store}{region}\n- 场合:{where}")
    return SystemMessage(content=system_prompt() + facts,
                         additional_kwargs={TURN_KEY: asdict(info)})


def _count(messages: list[BaseMessage]) -> int:
    from knowledge.tokens import count_tokens

    return sum(count_tokens(m.text) + 4 for m in messages)


def _budget(messages: list[BaseMessage], tokens: int) -> list[BaseMessage]:
    """Earlier turns, newest first, as far as `tokens` allows; the current turn (from the
    latest question on, with its tool results) is always sent whole, whatever its size."""
    last_human = max((i for i, m in enumerate(messages) if m.type == "human"), default=0)
    current = messages[last_human:]
    room = tokens - _count(current)
    if room <= 0 or last_human == 0:
        return current
    earlier = trim_messages(messages[:last_human], max_tokens=room, token_counter=_count,
                            strategy="last", start_on="human", allow_partial=False)
    return [*earlier, *current]


class TurnPrompt(AgentMiddleware[Any, TurnContext]):
    """The system prompt of this turn, and the history an LLM may see."""

    def __init__(self, history_tokens: int | None) -> None:
        super().__init__()
        self.history_tokens = history_tokens  # None: send everything (offline model)

    def _prepare(self, request: ModelRequest) -> ModelRequest:
        ctx = request.runtime.context if request.runtime else None
        if ctx is None:
            return request
        messages = request.messages
        if self.history_tokens is not None:
            messages = _budget(messages, self.history_tokens)
        return request.override(system_message=turn_prompt(ctx.info), messages=messages)

    def wrap_model_call(self, request: ModelRequest,
                        handler: Callable[[ModelRequest], ModelResponse]) -> ModelResponse:
        return handler(self._prepare(request))

    async def awrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], Awaitable[ModelResponse]]
    ) -> ModelResponse:
        return await handler(self._prepare(request))


class KeepRecent(AgentMiddleware[Any, TurnContext]):
    """A thread keeps its last `limit` messages (cut at a question, so no tool result loses
    its call): memory stays bounded however long a group chats."""

    def __init__(self, limit: int = 200) -> None:
        super().__init__()
        self.limit = limit

    def before_agent(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        messages = state["messages"]
        if len(messages) <= self.limit:
            return None
        cut = len(messages) - self.limit
        while cut < len(messages) and messages[cut].type != "human":
            cut += 1
        return {"messages": [RemoveMessage(id=m.id) for m in messages[:cut] if m.id]}


def confirmation() -> HumanInTheLoopMiddleware:
    """Pause before any tool marked `confirm`; the user approves or rejects, never edits."""
    return HumanInTheLoopMiddleware(
        interrupt_on={name: {"allowed_decisions": ["approve", "reject"],
                             "description": "需要你确认后才会执行"}
                      for name in sorted(confirmed_tools())},
        description_prefix="需要确认")
