"""The dashboard's practice section: the trainees a manager or supervisor looks after,
their progress by skill, through the same tool (and the same scope) as in chat."""

from __future__ import annotations

from typing import Any

from copilot.data.access import Caller, User
from tools.base import ToolContext
from tools.runner import run_tool

LEADS = ("store_manager", "supervisor", "admin")


def progress_for(copilot: Any, user: User) -> list[Any] | None:
    """Rows of `practice_progress` for the signed-in lead; None for anyone else (no
    section), [] when their trainees have not finished a scored practice yet."""
    if user.role not in LEADS:
        return None
    ctx = ToolContext(copilot.settings, copilot.members, copilot.state,
                      Caller(user, direct=True, channel="console"),
                      today=copilot.settings.today())
    outcome = run_tool(ctx, "practice_progress", {})
    if not outcome.ok or outcome.result is None:
        return []
    return [r for r in outcome.result.rows if r.staff_id != user.staff_id]
