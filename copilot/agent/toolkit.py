"""The registered tools as LangChain tools, each call going through `tools.runner`.

The model sees each tool's own JSON schema and docstring; the arguments it sends are not
validated by LangChain but by `run_tool`, so a bad call gets the same Chinese message,
audit entry and "never a traceback" as in every other channel. The requesting user,
"today" and the data come from the turn's runtime context, never from the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool

from tools.base import Tool, ToolContext
from tools.registry import all_tools
from tools.runner import run_tool


@dataclass
class TurnInfo:
    """Who asks, where and when: shown to the model in the system prompt."""

    today: str
    staff_id: str
    name: str
    role: str
    store_id: str | None
    store_name: str | None
    region: str | None
    direct: bool
    lang: str = "zh"


@dataclass
class TurnContext:
    """The LangGraph runtime context of one turn."""

    tools: ToolContext
    info: TurnInfo


def confirmed_tools() -> set[str]:
    """Tools that wait for the user's explicit confirmation before they run."""
    return {t.name for t in all_tools() if t.confirm}


@cache
def agent_tools() -> tuple[BaseTool, ...]:
    return tuple(_wrap(t) for t in all_tools())


def _schema(tool: Tool) -> dict[str, Any]:
    schema = tool.schema()
    schema.pop("title", None)
    return schema


def _wrap(tool: Tool) -> BaseTool:
    def call(runtime: ToolRuntime[TurnContext], **kwargs: Any) -> tuple[str, dict[str, Any]]:
        ctx = runtime.context.tools
        outcome = run_tool(ctx, tool.name, kwargs)
        citations = [c.model_dump() for c in outcome.result.citations()] if outcome.result else []
        artifact = {"name": tool.name, "args": outcome.args, "ok": outcome.ok,
                    "error": outcome.error, "citations": citations,
                    "result": outcome.result.as_json() if outcome.result else None}
        return outcome.text(ctx.lang), artifact

    return StructuredTool(name=tool.name, description=tool.description, args_schema=_schema(tool),
                          func=call, response_format="content_and_artifact")
