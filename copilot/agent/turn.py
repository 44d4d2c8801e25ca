"""What one turn returns: the answer, the tool calls behind it, citations, a pending action.

`as_json` is the contract of `copilot ask --json` and `POST /api/chat`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from pydantic import BaseModel

from tools.base import Citation


class ToolCall(BaseModel):
    name: str
    args: dict[str, Any]
    ok: bool
    error: str | None = None
    result: dict[str, Any] | None = None  # for evals and channels; not in as_json


class PendingAction(BaseModel):
    """What waits for the requester's "确认": the first action, and all of them when a
    model asked for several in one step (one answer approves or rejects them all)."""

    name: str
    args: dict[str, Any]
    description: str
    requested_by: str
    actions: list[dict[str, Any]] = []
    id: str = ""  # this wait's own id: a button pressed later must match it


class TurnResult(BaseModel):
    answer: str
    tool_calls: list[ToolCall] = []
    citations: list[Citation] = []
    pending_action: PendingAction | None = None
    # A practice turn: the simulated customer's line, or the scorecard computed from the
    # transcript (copilot/practice). Not in as_json.
    practice: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "tool_calls": [{"name": c.name, "args": c.args, "ok": c.ok, "error": c.error}
                           for c in self.tool_calls],
            "citations": [c.model_dump() for c in self.citations],
            "pending_action": self.pending_action.model_dump() if self.pending_action else None,
        }


def collect(new: list[BaseMessage]) -> tuple[str, list[ToolCall], list[Citation]]:
    """The final answer, tool calls and citations among the messages a turn added."""
    calls: list[ToolCall] = []
    cites: dict[tuple[str, str], Citation] = {}
    for m in new:
        if isinstance(m, ToolMessage) and isinstance(m.artifact, dict):
            a = m.artifact
            calls.append(ToolCall(name=a["name"], args=a["args"], ok=a["ok"], error=a["error"],
                                  result=a.get("result")))
            for c in a.get("citations", []):
                cite = Citation(**c)
                cites.setdefault((cite.playbook, cite.section), cite)
    answers = [m for m in new if isinstance(m, AIMessage) and not m.tool_calls and m.text]
    return (answers[-1].text if answers else ""), calls, list(cites.values())


_STRIP = re.compile(r"@\S+|[\s\u3000,,。.!!??~、;;::\"'“”‘’()()\U0001F300-\U0001FAFF]+")


@cache
def _raw_words() -> dict[str, list[str]]:
    raw = (resources.files("copilot.agent.policies") / "confirm_words.toml").read_text("utf-8")
    return tomllib.loads(raw)


@cache
def _words() -> dict[str, set[str]]:
    return {k: {w.lower() for w in v} for k, v in _raw_words().items()}


_PARTICLE = re.compile(r"(?:吧|啊|呀|哈|嘛|哦|噢)$")  # not 了: "对了" is "by the way"


def decision(text: str) -> Literal["approve", "reject"] | None:
    """The user's answer to a confirmation, or None if the message is about something else
    (a question such as "确定?" asks, it does not answer)."""
    # Full-width forms (？，！ from a Chinese keyboard) read as their ASCII twins.
    text = unicodedata.normalize("NFKC", text)
    if re.search(r"[??]", text):  # "确定?!", "确定?😀": still a question
        return None
    if any(re.search(p, text.lower()) for p in _raw_words()["reject_anywhere"]):
        return "reject"  # "哦不对 别删 我记错了"
    said = _STRIP.sub(" ", text.lower().replace("'", "")).strip()
    said = re.sub(r"^(?:嗯+|哦|噢|那|好吧)\s*", "", said) or said  # "嗯 确定删"
    once = _PARTICLE.sub("", said).strip()
    forms = {said, said.replace(" ", ""), once, _PARTICLE.sub("", once).strip()}
    words = _words()
    for kind in ("reject", "approve"):  # "不确认" must not read as 确认
        if forms & words[kind]:
            return kind  # type: ignore[return-value]
    return None
