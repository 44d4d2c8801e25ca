"""What the channels keep: events already taken in, and each answered turn with feedback.

Both live in the state database, so several service workers share them: the first worker
to insert an event id owns it, the others see a duplicate.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from copilot.agent.turn import TurnResult
from copilot.errors import UserError
from copilot.state.db import StateStore

KEEP_EVENTS = timedelta(days=2)  # platforms retry for minutes, not days


def first_time(state: StateStore, channel: str, event_id: str) -> bool:
    """True once per (channel, event id): the caller that gets True handles the event."""
    try:
        with state.begin() as conn:
            conn.execute(text("INSERT INTO channel_events (channel, event_id, received_at) "
                              "VALUES (:c, :e, :t)"),
                         {"c": channel, "e": event_id[:200], "t": datetime.now()})
    except IntegrityError:
        return False
    return True


def forget_old_events(state: StateStore, now: datetime | None = None) -> int:
    cutoff = (now or datetime.now()) - KEEP_EVENTS
    with state.begin() as conn:
        return conn.execute(text("DELETE FROM channel_events WHERE received_at < :t"),
                            {"t": cutoff}).rowcount


def record_turn(state: StateStore, *, channel: str, thread: str, staff_id: str, direct: bool,
                question: str, result: TurnResult) -> str:
    """Keep the turn (the answer as the audience saw it); its id, for feedback buttons."""
    turn_id = uuid.uuid4().hex
    tools = [{"name": c.name, "args": c.args, "ok": c.ok} for c in result.tool_calls]
    with state.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_turns (turn_id, channel, thread, staff_id, direct, question, "
            "answer, tools, created_at) VALUES (:id, :c, :th, :s, :d, :q, :a, :tools, :t)"),
            {"id": turn_id, "c": channel, "th": thread[:200], "s": staff_id, "d": direct,
             "q": question, "a": result.answer,
             "tools": json.dumps(tools, ensure_ascii=False, default=str),
             "t": datetime.now()})
    return turn_id


def rate_turn(state: StateStore, turn_id: str, staff_id: str, rating: int) -> None:
    """👍 (1) or 👎 (-1) from the person who asked (in a group anyone sees the buttons, but
    the rating says whether the answer served the asker); pressing again replaces it."""
    if rating not in (1, -1):
        raise UserError("评价只能是 👍 或 👎。", "A rating is 👍 or 👎.")
    with state.begin() as conn:
        asker = conn.execute(text("SELECT staff_id FROM channel_turns WHERE turn_id = :id"),
                             {"id": turn_id}).scalar()
        if asker is None:
            raise UserError("找不到要评价的这条回答。", "The answer being rated was not found.")
        if asker != staff_id:
            raise UserError(f"这条回答是 {asker} 问的,只有提问人可以评价。",
                            f"Only {asker}, who asked, can rate this answer.")
        conn.execute(text("UPDATE channel_turns SET rating = :r, rated_by = :s, "
                          "rated_at = :t WHERE turn_id = :id"),
                     {"r": rating, "s": staff_id, "t": datetime.now(), "id": turn_id})


def get_turn(state: StateStore, turn_id: str) -> dict[str, object] | None:
    with state.begin() as conn:
        row = conn.execute(text("SELECT * FROM channel_turns WHERE turn_id = :id"),
                           {"id": turn_id}).mappings().first()
    return dict(row) if row else None
