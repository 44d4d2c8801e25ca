"""Actions waiting for the requester's "确认": what they are, who may answer, for how long.

The agent loop pauses (a LangGraph interrupt) before any tool marked `confirm`; the next
message in the thread decides. Only the requester decides; a wait older than the
configured limit is cancelled rather than approved by a stray "好" days later.
"""

from __future__ import annotations

from datetime import UTC, datetime
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


def describe(name: str, args: dict[str, Any]) -> str:
    if name == "delete_segment":
        return f"将删除分组“{args.get('segment', '')}”(删除后无法恢复)。"
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
