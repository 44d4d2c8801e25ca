"""Calls a tool by name the way every channel does: validate, run, audit, never a traceback.

This is the one place tool calls pass through, so the audit log sees every call (good or
bad) with its arguments and caller, and every failure reaches the user as a clear message
in their language instead of a stack trace.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from pydantic import BaseModel, ValidationError

from copilot.errors import UserError
from copilot.state.audit import AuditEntry, record
from tools.base import ToolContext, ToolResult
from tools.errors import explain_validation
from tools.registry import get_tool

log = logging.getLogger(__name__)


class ToolOutcome(BaseModel):
    name: str
    args: dict[str, Any]
    ok: bool
    result: ToolResult | None = None
    error: str | None = None
    audit_id: str | None = None

    def text(self, lang: str = "zh") -> str:
        if self.ok and self.result is not None:
            return self.result.text(lang)
        return self.error or ""

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "args": self.args, "ok": self.ok, "error": self.error,
                "result": self.result.as_json() if self.result else None}


def _parse_args(raw: dict[str, Any] | str | None) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UserError(f"参数不是合法的 JSON:{exc.msg}(第 {exc.colno} 列)。",
                        f"Arguments are not valid JSON: {exc.msg} (column {exc.colno}).") from None
    if not isinstance(parsed, dict):
        raise UserError("参数必须是 JSON 对象,例如 {\"store\": \"朝阳店\"}。",
                        'Arguments must be a JSON object, e.g. {"store": "S001"}.')
    return parsed


def run_tool(ctx: ToolContext, name: str, raw_args: dict[str, Any] | str | None) -> ToolOutcome:
    """Run `name` for ctx.caller; the outcome says ok or carries the user-facing error."""
    started = time.perf_counter()
    args, result, error = _call(ctx, name, raw_args)
    user = ctx.caller.user
    audit_id = record(ctx.state, AuditEntry(
        actor=user.staff_id, role=user.role, channel=ctx.caller.channel,
        conversation=ctx.caller.conversation, action=name, args=args, ok=error is None,
        error=error, duration_ms=round((time.perf_counter() - started) * 1000)))
    return ToolOutcome(name=name, args=args, ok=error is None, result=result, error=error,
                       audit_id=audit_id)


def _call(ctx: ToolContext, name: str, raw_args: dict[str, Any] | str | None
          ) -> tuple[dict[str, Any], ToolResult | None, str | None]:
    """(arguments as audited, result, error message)."""
    try:
        args = _parse_args(raw_args)
    except UserError as exc:  # not JSON: audit what was sent, as far as it is readable
        return {"_raw": str(raw_args)[:500]}, None, exc.message(ctx.lang)
    try:
        tool = get_tool(name)
        parsed = tool.args.model_validate(args)
        return args, tool.run(ctx, parsed), None
    except ValidationError as exc:
        return args, None, explain_validation(exc, ctx.lang, list(get_tool(name).args.model_fields))
    except UserError as exc:
        return args, None, exc.message(ctx.lang)
    except Exception:  # a bug, not the user's fault: log it, tell them plainly
        log.exception("tool %s failed", name)
        return args, None, ("内部错误,这次调用没有完成,已记录,请稍后再试或联系管理员。"
                            if ctx.lang != "en"
                            else "Internal error; the call did not complete and has been logged.")
