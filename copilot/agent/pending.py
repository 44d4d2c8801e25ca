"""Actions waiting for the requester's "确认": what they are, who may answer, for how long.

The agent loop pauses (a LangGraph interrupt) before any tool marked `confirm`; the next
message in the thread decides. Only the requester decides; a wait older than the
configured limit is cancelled rather than approved by a stray "好" days later.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from copilot.agent.turn import PendingAction


def pending_in(snapshot: Any) -> PendingAction | None:
    for intr in snapshot.interrupts:
        asked = [m for m in snapshot.values.get("messages", []) if m.type == "human"]
        return pending_of(intr.value["action_requests"], asked[-1].name if asked else "",
                          intr.id)
    return None


def pending_of(requests: list[dict[str, Any]], who: str, wait_id: str = "") -> PendingAction:
    first = requests[0]
    return PendingAction(
        name=first["name"], args=first["args"], requested_by=who or "", id=wait_id,
        description="".join(describe(r["name"], r["args"]) for r in requests),
        actions=[{"name": r["name"], "args": r["args"]} for r in requests])


@cache
def _texts() -> dict[str, str]:
    raw = (resources.files("copilot.agent.policies") / "confirm_texts.toml").read_text("utf-8")
    return tomllib.loads(raw)


def describe(name: str, args: dict[str, Any]) -> str:
    if template := _texts().get(name):
        decision = "审批通过" if args.get("approve", True) else "驳回"
        return template.format_map(defaultdict(str, {**args, "decision": decision}))
    shown = ",".join(f"{k}={v}" for k, v in args.items())
    return f"将执行 {name}({shown})。"


def expired(snapshot: Any, ttl_s: float, now: datetime | None = None) -> bool:
    """Whether the wait began more than `ttl_s` seconds ago (the checkpoint's time)."""
    if not snapshot.created_at or ttl_s <= 0:
        return False
    began = datetime.fromisoformat(snapshot.created_at)
    if began.tzinfo is None:
        began = began.replace(tzinfo=UTC)
    return ((now or datetime.now(UTC)) - began).total_seconds() > ttl_s


def decisions(kind: str, message: str, count: int) -> dict[str, Any]:
    """One decision per waiting action: the HITL middleware wants exactly as many."""
    return {"decisions": [{"type": kind, "message": message}] * count}
