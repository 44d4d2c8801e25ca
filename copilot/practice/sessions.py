"""Practice sessions in the state database: started, spoken, ended with a score.

A session belongs to one trainee and, in a chat channel, to one conversation (channel +
thread), so "结束" in that conversation ends it. The transcript is kept as it was spoken;
the scorecard is kept as scored, so progress never depends on a later change of a
scenario's checks.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text

from copilot.errors import UserError
from copilot.state.db import StateStore, as_datetime

Turn = dict[str, str]  # {"who": "trainee" | "customer", "text": ...}


@dataclass(frozen=True)
class Session:
    session_id: str
    staff_id: str
    scenario: str
    persona: str
    seed: int
    state: str
    turns: list[Turn]
    score: int | None
    passed: bool | None
    started_at: datetime


def _session(row: Any) -> Session:
    r = dict(row)
    at = r["started_at"]
    return Session(r["session_id"], r["staff_id"], r["scenario"], r["persona"], int(r["seed"]),
                   r["state"], json.loads(r["transcript"]),
                   None if r["score"] is None else int(r["score"]),
                   None if r["passed"] is None else bool(r["passed"]),
                   as_datetime(at))


_COLUMNS = ("SELECT session_id, staff_id, scenario, persona, seed, state, transcript, score, "
            "passed, started_at FROM practice_sessions")


def start(state: StateStore, staff_id: str, scenario: str, persona: str, seed: int,
          channel: str, thread: str | None, opening: str, now: datetime) -> str:
    """A new session, with the customer's opening line; an open one in the same
    conversation is closed unscored first (one practice at a time per conversation)."""
    session_id = uuid.uuid4().hex[:12]
    with state.begin() as conn:
        if thread is not None:
            conn.execute(text("UPDATE practice_sessions SET state = 'ended', ended_at = :t "
                              "WHERE channel = :c AND thread = :th AND staff_id = :s "
                              "AND state = 'open'"),
                         {"t": now, "c": channel, "th": thread, "s": staff_id})
        conn.execute(text(
            "INSERT INTO practice_sessions (session_id, staff_id, scenario, persona, seed, "
            "channel, thread, state, transcript, started_at) VALUES (:id, :s, :sc, :p, :seed, "
            ":c, :th, 'open', :tr, :t)"),
            {"id": session_id, "s": staff_id, "sc": scenario, "p": persona, "seed": seed,
             "c": channel, "th": thread, "t": now,
             "tr": json.dumps([{"who": "customer", "text": opening}], ensure_ascii=False)})
    return session_id


def get(state: StateStore, session_id: str) -> Session:
    with state.begin() as conn:
        row = conn.execute(text(f"{_COLUMNS} WHERE session_id = :id"),
                           {"id": session_id}).mappings().first()
    if row is None:
        raise UserError(f"找不到练习 {session_id}。", f"No practice session {session_id}.")
    return _session(row)


def open_in(state: StateStore, channel: str, thread: str, staff_id: str) -> Session | None:
    """The trainee's open session in this conversation, if any."""
    with state.begin() as conn:
        row = conn.execute(text(f"{_COLUMNS} WHERE channel = :c AND thread = :th AND "
                                "staff_id = :s AND state = 'open' ORDER BY started_at DESC"),
                           {"c": channel, "th": thread, "s": staff_id}).mappings().first()
    return None if row is None else _session(row)


def add_turns(state: StateStore, session_id: str, turns: list[Turn]) -> Session:
    """Append what was said; only to an open session (an ended one is refused)."""
    with state.begin() as conn:
        row = conn.execute(text("SELECT transcript, state FROM practice_sessions WHERE "
                                "session_id = :id"), {"id": session_id}).first()
        if row is None or row.state != "open":
            raise UserError("这次练习已经结束了,可以重新开始一次。",
                            "This practice session has ended; start a new one.")
        kept = json.loads(row.transcript) + turns
        conn.execute(text("UPDATE practice_sessions SET transcript = :tr WHERE "
                          "session_id = :id AND state = 'open'"),
                     {"tr": json.dumps(kept, ensure_ascii=False), "id": session_id})
    return get(state, session_id)


def end(state: StateStore, session_id: str, score: int, passed: bool,
        scorecard: dict[str, Any], now: datetime) -> bool:
    """Record the score; False when the session had already ended (scored once)."""
    with state.begin() as conn:
        return bool(conn.execute(text(
            "UPDATE practice_sessions SET state = 'ended', score = :sc, passed = :p, "
            "scorecard = :card, ended_at = :t WHERE session_id = :id AND state = 'open'"),
            {"sc": score, "p": passed, "t": now, "id": session_id,
             "card": json.dumps(scorecard, ensure_ascii=False)}).rowcount)


def scored(state: StateStore, staff_ids: list[str]) -> list[Session]:
    """Every scored session of these trainees, oldest first (for progress)."""
    if not staff_ids:
        return []
    sql = text(f"{_COLUMNS} WHERE staff_id IN :staff AND score IS NOT NULL "
               "ORDER BY started_at, session_id").bindparams(bindparam("staff", expanding=True))
    with state.begin() as conn:
        rows = conn.execute(sql, {"staff": staff_ids}).mappings().all()
    return [_session(r) for r in rows]
