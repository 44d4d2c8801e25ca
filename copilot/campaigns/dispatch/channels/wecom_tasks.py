"""The wecom_tasks table: every WeCom mass-send task a campaign made, and what became of it.

WeCom gives no idempotency key, so this table is the adapter's memory: a row goes in as
'creating' before add_msg_template is called, so a worker that dies after the call leaves
a row the next worker reconciles with WeCom instead of making a second task. Each function
is one short transaction; the senders call them through a thread so the event loop (and the
worker's other sends) never waits on the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from copilot.state.db import StateStore, as_datetime

SINGLE, GROUP = "single", "group"  # WeCom's chat_type: customers, customer groups
CREATING, CREATED, SENT, FAILED = "creating", "created", "sent", "failed"
GROUP_KEY = "group"  # a group task is one per campaign and staff, whatever the batch


class TaskKey(NamedTuple):
    campaign_id: str
    staff_id: str
    chat_type: str
    batch_key: str

    def params(self) -> dict[str, str]:
        return {"key_c": self.campaign_id, "key_s": self.staff_id, "key_t": self.chat_type,
                "key_b": self.batch_key}


_WHERE = ("campaign_id = :key_c AND staff_id = :key_s AND chat_type = :key_t "
          "AND batch_key = :key_b")


@dataclass(frozen=True)
class TaskRow:
    key: TaskKey
    sender: str  # the staff's WeCom userid when the task was made
    state: str
    msgid: str | None
    members: int
    targets: dict[str, str]  # member id -> external_userid (single tasks)
    failed: frozenset[str]  # member ids WeCom refused (its fail_list)
    received: int | None
    reason: str | None
    created_at: datetime
    checked_at: datetime | None


def batch_key(member_ids: Iterable[str]) -> str:
    """The same members give the same key, in whatever order a batch lists them."""
    joined = "\n".join(sorted(member_ids))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


def _row(r: dict[str, object]) -> TaskRow:
    key = TaskKey(str(r["campaign_id"]), str(r["staff_id"]), str(r["chat_type"]),
                  str(r["batch_key"]))
    return TaskRow(key, str(r["sender"]), str(r["state"]), _text(r["msgid"]),
                   _int(r["members"]) or 0,
                   json.loads(str(r["targets"])) if r["targets"] else {},
                   frozenset(json.loads(str(r["failed"])) if r["failed"] else ()),
                   _int(r["received"]), _text(r["reason"]),
                   _when(r["created_at"]) or datetime.now(), _when(r["checked_at"]))


def _text(value: object) -> str | None:
    return str(value) if value else None


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _when(value: object) -> datetime | None:
    """SQLite hands timestamps back as text through a plain text() query."""
    return None if value is None else as_datetime(value)


def rows(state: StateStore, campaign_id: str, *, staff_id: str | None = None,
         chat_type: str | None = None, states: Iterable[str] | None = None) -> list[TaskRow]:
    sql = "SELECT * FROM wecom_tasks WHERE campaign_id = :c"
    params: dict[str, object] = {"c": campaign_id}
    if staff_id is not None:
        sql += " AND staff_id = :s"
        params["s"] = staff_id
    if chat_type is not None:
        sql += " AND chat_type = :t"
        params["t"] = chat_type
    with state.begin() as conn:
        found = [_row(dict(r)) for r in conn.execute(
            text(sql + " ORDER BY staff_id, chat_type, created_at"), params).mappings()]
    wanted = set(states) if states is not None else None
    return [r for r in found if wanted is None or r.state in wanted]


def get(state: StateStore, key: TaskKey) -> TaskRow | None:
    with state.begin() as conn:
        r = conn.execute(text(f"SELECT * FROM wecom_tasks WHERE {_WHERE}"),
                         key.params()).mappings().first()
    return _row(dict(r)) if r else None


def known_msgids(state: StateStore) -> set[str]:
    """Tasks already recorded, whatever the campaign: reconciling never adopts one twice."""
    with state.begin() as conn:
        return {str(m) for m in conn.execute(text(
            "SELECT msgid FROM wecom_tasks WHERE msgid IS NOT NULL")).scalars()}


def claim(state: StateStore, key: TaskKey, sender: str, members: int,
          targets: dict[str, str] | None = None) -> bool:
    """Write the row 'creating' before calling WeCom; False when a row for the key is there
    already (another worker is at it) and not a failed one, which is taken over."""
    values = {**key.params(), "sender": sender, "n": members, "now": datetime.now(),
              "targets": json.dumps(targets, ensure_ascii=False) if targets else None}
    try:
        with state.begin() as conn:
            conn.execute(text(
                "INSERT INTO wecom_tasks (campaign_id, staff_id, chat_type, batch_key, sender, "
                "state, members, targets, created_at) VALUES (:key_c, :key_s, :key_t, :key_b, "
                f":sender, '{CREATING}', :n, :targets, :now)"), values)
        return True
    except IntegrityError:
        pass
    with state.begin() as conn:
        taken = conn.execute(text(
            f"UPDATE wecom_tasks SET state = '{CREATING}', sender = :sender, members = :n, "
            "targets = :targets, msgid = NULL, failed = NULL, reason = NULL, "
            f"created_at = :now WHERE {_WHERE} AND state = '{FAILED}'"), values)
    return bool(taken.rowcount)


def _update(conn: Connection, key: TaskKey, sets: str, values: dict[str, object]) -> int:
    return conn.execute(text(f"UPDATE wecom_tasks SET {sets} WHERE {_WHERE}"),
                        {**key.params(), **values}).rowcount


def mark_created(state: StateStore, key: TaskKey, msgid: str, failed: Iterable[str]) -> None:
    with state.begin() as conn:
        _update(conn, key, f"state = '{CREATED}', msgid = :m, failed = :f, reason = NULL",
                {"m": msgid, "f": json.dumps(sorted(failed), ensure_ascii=False)})


def mark_failed(state: StateStore, key: TaskKey, reason: str) -> None:
    with state.begin() as conn:
        _update(conn, key, f"state = '{FAILED}', reason = :r", {"r": reason})


def mark_sent(state: StateStore, key: TaskKey, received: int) -> None:
    with state.begin() as conn:
        _update(conn, key, f"state = '{SENT}', received = :n, checked_at = :t",
                {"n": received, "t": datetime.now()})


def touch(state: StateStore, key: TaskKey) -> None:
    with state.begin() as conn:
        _update(conn, key, "checked_at = :t", {"t": datetime.now()})


def drop(state: StateStore, key: TaskKey) -> None:
    """WeCom answered that it made nothing (or reconciling found nothing): forget the row,
    so the members are sent again under a fresh claim."""
    with state.begin() as conn:
        conn.execute(text(f"DELETE FROM wecom_tasks WHERE {_WHERE} AND state <> '{CREATED}' "
                          f"AND state <> '{SENT}'"), key.params())


def waiting_campaigns(state: StateStore) -> list[str]:
    """Campaigns with a task its staff member has not confirmed in WeCom yet."""
    with state.begin() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT DISTINCT campaign_id FROM wecom_tasks WHERE state = :s ORDER BY 1"),
            {"s": CREATED})]
