"""The copilot: one agent loop shared by the CLI, the API and the chat channels.

`Copilot.turn` takes what a person said, who they are and where (channel + thread), runs
the LangChain agent with the conversation's memory, and returns a `TurnResult`. Actions
that need confirmation pause the graph (LangGraph interrupt); the next message in the
thread from the same person approves or rejects them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
import unicodedata
from collections.abc import AsyncIterator
from datetime import date
from typing import TYPE_CHECKING, Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, ToolMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from copilot.agent.locks import ThreadLocks, thread_locks
from copilot.agent.memory import open_memory, thread_key
from copilot.agent.middleware import KeepRecent, TurnPrompt, confirmation
from copilot.agent.models import build_chat_model
from copilot.agent.pending import decisions, expired, pending_in, pending_of
from copilot.agent.policies import system_prompt
from copilot.agent.toolkit import TurnContext, TurnInfo, agent_tools
from copilot.agent.turn import PendingAction, TurnResult, collect, decision
from copilot.analytics.scope import store_rows
from copilot.config import Settings
from copilot.data.access import Caller, User, load_user
from copilot.data.masking import mask_phones_in
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.practice.chat import practice_turn
from copilot.practice.sessions import open_in
from copilot.state.db import StateStore
from tools.base import ToolContext
from tools.registry import get_tool

if TYPE_CHECKING:
    from knowledge.index import KnowledgeBase

log = logging.getLogger(__name__)
MAX_MESSAGE = 2000  # characters; a pasted novel is not a question


class Copilot:
    def __init__(self, settings: Settings, members: MemberStore, state: StateStore,
                 memory: BaseCheckpointSaver, model: BaseChatModel | None = None,
                 locks: ThreadLocks | None = None) -> None:
        self.settings, self.members, self.state = settings, members, state
        self.model = model or build_chat_model(settings, members)
        offline = getattr(self.model, "offline", False)
        self.graph = create_agent(
            self.model, list(agent_tools()), system_prompt=system_prompt(),
            middleware=[KeepRecent(), TurnPrompt(None if offline else settings.history_tokens),
                        confirmation()],
            context_schema=TurnContext, checkpointer=memory)
        self._kb: KnowledgeBase | None = None
        self._kb_lock = threading.Lock()  # tools run in worker threads
        self._locks = locks or ThreadLocks()
        self._running = asyncio.Semaphore(settings.turn_concurrency)

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, settings: Settings, model: BaseChatModel | None = None
                   ) -> AsyncIterator[Copilot]:
        members = MemberStore.from_settings(settings)
        state = StateStore.from_settings(settings)
        try:
            async with open_memory(settings) as memory, \
                    thread_locks(settings.memory_db_url) as locks:
                yield cls(settings, members, state, memory, model, locks)
        finally:
            members.close()
            state.close()

    async def turn(self, message: str, *, staff_id: str, thread: str, channel: str = "cli",
                   direct: bool = False, today: date | None = None,
                   answers: str | None = None) -> TurnResult:
        """One turn. `answers`: the id of the wait a button was pressed for; the message
        then decides that wait only, never a newer one the button did not show."""
        text = _check_message(message)
        # The staff record is read off the event loop: a service answering Slack's and
        # WeCom's acknowledgements on this loop must not wait for a database.
        caller, info = await asyncio.to_thread(self._caller, staff_id, channel, direct,
                                               today or self.settings.today())
        key = thread_key(channel, thread, direct, info.staff_id)
        # One turn at a time per thread, and a caller that gives up (a timeout, a dropped
        # connection) does not cancel a run halfway: the run finishes and is remembered.
        task = asyncio.ensure_future(self._locked(key, text, caller, info, answers))
        return await asyncio.shield(task)

    async def _locked(self, key: str, text: str, caller: Caller, info: TurnInfo,
                      answers: str | None = None) -> TurnResult:
        # A bounded number of turns run at once (FIFO): the rest wait without costing the
        # event loop anything, so short requests (acks, health) stay fast under load.
        async with self._locks.hold(key, self._running):
            result = await self._turn(key, text, caller, info, answers)
        if not info.direct:  # the last guard for a group: no full mobile number, ever
            result.answer = mask_phones_in(result.answer)
        return result

    async def _turn(self, key: str, text: str, caller: Caller, info: TurnInfo,
                    answers: str | None = None) -> TurnResult:
        practising = await asyncio.to_thread(open_in, self.state, caller.channel, key,
                                             info.staff_id)
        if practising is not None and answers is None:  # the customer answers, not the agent
            return TurnResult(answer=await asyncio.to_thread(
                practice_turn, self.state, practising, text, self.settings.now(),
                self.settings),
                practice=True)
        ctx = TurnContext(self._tool_context(caller, info, key), info)
        config = {"configurable": {"thread_id": key}}
        snapshot = await self.graph.aget_state(config)
        before = len(snapshot.values.get("messages", []))
        pending = pending_in(snapshot)
        if answers is not None and (pending is None or pending.id != answers):
            return TurnResult(answer="这个按钮对应的操作已经结束或被新的请求取代,没有执行。"
                                     + (f"\n现在等待确认的是:{pending.description}"
                                        if pending else ""), pending_action=pending)
        note = ""
        if pending is not None and expired(snapshot, self.settings.confirm_ttl_s):
            await self._run(Command(resume=decisions("reject", "等待确认超时,已取消。",
                                                     len(pending.actions))), config, ctx)
            await self._undo(pending, ctx)
            note = f"(之前等待确认的操作已超时取消:{pending.description})\n"
            before = await self._length(config)
        elif pending is not None:
            if pending.requested_by != info.staff_id:
                return TurnResult(answer=f"这个操作在等 {pending.requested_by} 本人确认,"
                                         "确认或取消之前,这段对话先不处理其他人的消息。",
                                  pending_action=pending)
            said = decision(text)
            asks = unicodedata.normalize("NFKC", text).rstrip().endswith("?")  # ？ too
            if said is None and len(text) <= 8 and asks:
                return TurnResult(  # "确定?": a question about the action, not an answer
                    answer=f"{pending.description}\n请回复“确认”执行,或“取消”。",
                    pending_action=pending)
            resume = Command(resume=decisions(
                said or "reject", "用户取消了这个操作。" if said else "用户没有确认,改问了别的。",
                len(pending.actions)))
            if said is not None:
                if said == "reject":
                    await self._undo(pending, ctx)
                return await self._resume(resume, config, ctx, before, info)
            await self._run(resume, config, ctx)
            await self._undo(pending, ctx)
            note = f"(没有确认,已取消:{pending.description})\n"
            before = await self._length(config)
        out = await self._run({"messages": [HumanMessage(text, name=info.staff_id)]}, config,
                              ctx)
        result = self._result(out, before, info)
        result.answer = note + result.answer
        return result

    async def _undo(self, pending: PendingAction, ctx: TurnContext) -> None:
        """A turned-down or expired action may leave something to clean up (a campaign
        waiting for the confirmation that will not come); the tool says what."""
        tools = ctx.tools
        for action in pending.actions:
            try:
                tool = get_tool(action["name"])
                if tool.undo is None:
                    continue
                if pending.requested_by != tools.caller.user.staff_id:  # someone else spoke
                    caller, _ = await asyncio.to_thread(
                        self._caller, pending.requested_by, tools.caller.channel,
                        tools.caller.direct, tools.today)
                    tools = dataclasses.replace(tools, caller=caller)
                await asyncio.to_thread(tool.undo, tools,
                                        tool.args.model_validate(action["args"]))
            except Exception:  # the refusal itself stands; the leftover is only logged
                log.exception("undoing %s failed", action["name"])

    async def _length(self, config: Any) -> int:
        """How many messages the thread holds: a turn's result is what comes after."""
        return len((await self.graph.aget_state(config)).values.get("messages", []))

    async def _resume(self, resume: Command, config: Any, ctx: TurnContext, before: int,
                      info: TurnInfo) -> TurnResult:
        """Approve or reject; if the model fails after the action ran, say that it ran."""
        try:
            return self._result(await self._run(resume, config, ctx), before, info)
        except UserError as exc:
            state = await self.graph.aget_state(config)
            _, calls, _ = collect(state.values.get("messages", [])[before:])
            if not calls:
                raise
            done = "、".join(f"{c.name}({'成功' if c.ok else '失败'})" for c in calls)
            return TurnResult(answer=f"操作已执行:{done}。{exc.zh}", tool_calls=calls)

    async def _run(self, payload: Any, config: Any, ctx: TurnContext) -> dict[str, Any]:
        """One run of the graph, remembered only when it ends (a crash mid-run leaves the
        thread as it was). Tools never raise (the runner turns failures into messages), so
        what escapes is the model service or memory: tell the user plainly."""
        try:
            return await self.graph.ainvoke(payload, config, context=ctx, durability="exit")
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
            pending = pending_of(intr.value["action_requests"], info.staff_id, intr.id)
            # What the tools of this step showed (a campaign's preview) comes first: it is
            # what the person is being asked to confirm.
            shown = [m.text for m in out["messages"][before:] if isinstance(m, ToolMessage)]
            answer = "\n\n".join([*shown, f"{pending.description}\n请回复“确认”执行,或“取消”。"])
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

    def _tool_context(self, caller: Caller, info: TurnInfo, key: str | None = None
                      ) -> ToolContext:
        return ToolContext(self.settings, self.members, self.state, caller,
                           today=date.fromisoformat(info.today), lang=info.lang,
                           knowledge=self.knowledge, conversation=key)

    def knowledge(self) -> KnowledgeBase:
        """One playbook index per process, opened on the first search."""
        with self._kb_lock:
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
