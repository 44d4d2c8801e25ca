"""The copilot: one agent loop shared by the CLI, the API and the chat channels.

`Copilot.turn` takes what a person said, who they are and where (channel + thread), runs
the LangChain agent with the conversation's memory, and returns a `TurnResult`. Actions
that need confirmation pause the graph (LangGraph interrupt); the next message in the
thread from the same person approves or rejects them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import date
from typing import TYPE_CHECKING, Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from copilot.agent.memory import open_memory, thread_key
from copilot.agent.middleware import TurnPrompt, confirmation
from copilot.agent.models import build_chat_model
from copilot.agent.policies import system_prompt
from copilot.agent.toolkit import TurnContext, TurnInfo, agent_tools
from copilot.agent.turn import PendingAction, TurnResult, collect, decision
from copilot.analytics.scope import store_rows
from copilot.config import Settings
from copilot.data.access import Caller, User, load_user
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.state.db import StateStore
from tools.base import ToolContext

if TYPE_CHECKING:
    from knowledge.index import KnowledgeBase

log = logging.getLogger(__name__)
MAX_MESSAGE = 2000  # characters; a pasted novel is not a question


class Copilot:
    def __init__(self, settings: Settings, members: MemberStore, state: StateStore,
                 memory: BaseCheckpointSaver, model: BaseChatModel | None = None) -> None:
        self.settings, self.members, self.state = settings, members, state
        self.model = model or build_chat_model(settings, members)
        offline = getattr(self.model, "offline", False)
        self.graph = create_agent(
            self.model, list(agent_tools()), system_prompt=system_prompt(),
            middleware=[TurnPrompt(None if offline else settings.history_tokens),
                        confirmation()],
            context_schema=TurnContext, checkpointer=memory)
        self._kb: KnowledgeBase | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, settings: Settings, model: BaseChatModel | None = None
                   ) -> AsyncIterator[Copilot]:
        members = MemberStore.from_settings(settings)
        state = StateStore.from_settings(settings)
        try:
            async with open_memory(settings) as memory:
                yield cls(settings, members, state, memory, model)
        finally:
            members.close()
            state.close()

    async def turn(self, message: str, *, staff_id: str, thread: str, channel: str = "cli",
                   direct: bool = False, today: date | None = None) -> TurnResult:
        text = _check_message(message)
        caller, info = self._caller(staff_id, channel, direct, today or date.today())
        ctx = TurnContext(self._tool_context(caller, info), info)
        config = {"configurable": {"thread_id": thread_key(channel, thread)}}
        snapshot = await self.graph.aget_state(config)
        before = len(snapshot.values.get("messages", []))
        pending = _pending(snapshot)
        if pending is not None:
            if pending.requested_by != info.staff_id:
                return TurnResult(answer=f"这个操作等待 {pending.requested_by} 本人确认,"
                                         "其他人的回复不会执行或取消它。", pending_action=pending)
            said = decision(text)
            answer = {"type": said or "reject",
                      "message": "用户取消了这个操作。" if said else "用户没有确认,改问了别的。"}
            decisions = [answer] * len(pending.actions)
            out = await self._run(Command(resume={"decisions": decisions}), config, ctx)
            if said is not None:
                return self._result(out, before, info)
        human = HumanMessage(text, name=info.staff_id)
        out = await self._run({"messages": [human]}, config, ctx)
        return self._result(out, before, info)

    async def _run(self, payload: Any, config: Any, ctx: TurnContext) -> dict[str, Any]:
        """One run of the graph. Tools never raise (the runner turns failures into
        messages), so what escapes is the model service or memory: tell the user plainly."""
        try:
            return await self.graph.ainvoke(payload, config, context=ctx)
        except UserError:
            raise
        except Exception as exc:
            log.exception("agent turn failed")
            status = getattr(exc, "status_code", None)
            what = f"{type(exc).__name__}{f', HTTP {status}' if status else ''}"
            raise UserError(
                f"对话模型暂时无法回答({what}),请稍后再试;"
                "如果一直这样,请管理员检查 COPILOT_LLM_* 设置和模型服务。",
                f"The chat model could not answer ({what}); try again later, "
                "or ask an administrator to check COPILOT_LLM_* and the model service.") from exc

    def _result(self, out: dict[str, Any], before: int, info: TurnInfo) -> TurnResult:
        answer, calls, citations = collect(out["messages"][before:])
        pending = None
        for intr in out.get("__interrupt__", []):
            pending = _pending_of(intr.value["action_requests"], info.staff_id)
            answer = f"{pending.description}\n请回复“确认”执行,或“取消”。"
        return TurnResult(answer=answer, tool_calls=calls, citations=citations,
                          pending_action=pending)

    def _caller(self, staff_id: str, channel: str, direct: bool, today: date
                ) -> tuple[Caller, TurnInfo]:
        with self.members.read() as conn:
            user: User = load_user(conn, staff_id)
            names = {r.store_id: r.name for r in store_rows(conn)}
        info = TurnInfo(today=today.isoformat(), staff_id=user.staff_id, name=user.name,
                        role=user.role, store_id=user.store_id,
                        store_name=names.get(user.store_id or ""), region=user.region,
                        direct=direct, lang=self.settings.language)
        return Caller(user, direct=direct, channel=channel), info

    def _tool_context(self, caller: Caller, info: TurnInfo) -> ToolContext:
        return ToolContext(self.settings, self.members, self.state, caller,
                           today=date.fromisoformat(info.today), lang=info.lang,
                           knowledge=self.knowledge)

    def knowledge(self) -> KnowledgeBase:
        """One playbook index per process, opened on the first search."""
        if self._kb is None:
            from knowledge.index import KnowledgeBase

            self._kb = KnowledgeBase.ready(self.settings)
        return self._kb


def _check_message(message: str) -> str:
    text = message.strip()
    if not text:
        raise UserError("消息是空的,请说说你想查什么或做什么。", "The message is empty.")
    if len(text) > MAX_MESSAGE:
        raise UserError(f"消息太长({len(text)} 字),请控制在 {MAX_MESSAGE} 字以内。",
                        f"The message is too long ({len(text)} characters; max {MAX_MESSAGE}).")
    return text


def _pending(snapshot: Any) -> PendingAction | None:
    for intr in snapshot.interrupts:
        asked = [m for m in snapshot.values.get("messages", []) if m.type == "human"]
        return _pending_of(intr.value["action_requests"], asked[-1].name if asked else "")
    return None


def _pending_of(requests: list[dict[str, Any]], who: str) -> PendingAction:
    first = requests[0]
    return PendingAction(
        name=first["name"], args=first["args"], requested_by=who or "",
        description="".join(_describe(r["name"], r["args"]) for r in requests),
        actions=[{"name": r["name"], "args": r["args"]} for r in requests])


def _describe(name: str, args: dict[str, Any]) -> str:
    if name == "delete_segment":
        return f"将删除分组“{args.get('segment', '')}”(删除后无法恢复)。"
    shown = ",".join(f"{k}={v}" for k, v in args.items())
    return f"将执行 {name}({shown})。"
