"""The audit log: every tool call and action, its arguments and the caller, good or bad."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from copilot.state.db import StateStore

_INSERT = text("""
INSERT INTO audit_log (audit_id, ts, actor, role, channel, conversation, action, args, ok,
                       error, duration_ms)
VALUES (:audit_id, :ts, :actor, :role, :channel, :conversation, :action, :args, :ok,
        :error, :duration_ms)
""")


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    role: str
    channel: str
    conversation: str  # "direct" or "group"
    action: str
    args: dict[str, object]
    ok: bool
    error: str | None
    duration_ms: int


def record(state: StateStore, entry: AuditEntry, *, now: datetime | None = None) -> str:
    """Write one entry in its own transaction (so a failed call is still logged); its id."""
    audit_id = uuid.uuid4().hex
    row = {**entry.__dict__, "audit_id": audit_id, "ts": now or datetime.now(),
           "args": json.dumps(entry.args, ensure_ascii=False, default=str, sort_keys=True)}
    with state.begin() as conn:
        conn.execute(_INSERT, row)
    return audit_id


def recent(state: StateStore, limit: int = 50, actor: str | None = None) -> list[dict]:
    """The latest entries, newest first (for `copilot audit` and tests)."""
    where = "WHERE actor = :actor" if actor else ""
    sql = text(f"SELECT * FROM audit_log {where} ORDER BY ts DESC LIMIT :limit")
    with state.begin() as conn:
        rows = conn.execute(sql, {"actor": actor, "limit": limit}).mappings().all()
    return [{**r, "args": json.loads(r["args"])} for r in rows]
