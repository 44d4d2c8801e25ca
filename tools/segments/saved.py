"""Saved segments in the operational-state database: name, owner, spec, last size."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from copilot.errors import UserError
from copilot.state.db import StateStore
from tools.segments.spec import SegmentSpec


class SavedSegment(BaseModel):
    segment_id: str
    name: str
    owner: str
    spec: SegmentSpec
    size: int
    as_of: str
    created_at: str
    refreshed_at: str


def _row(r) -> SavedSegment:
    return SavedSegment(segment_id=r["segment_id"], name=r["name"], owner=r["owner"],
                        spec=SegmentSpec.model_validate_json(r["spec"]), size=int(r["size"]),
                        as_of=str(r["as_of"])[:10], created_at=str(r["created_at"])[:19],
                        refreshed_at=str(r["refreshed_at"])[:19])


def save(state: StateStore, owner: str, name: str, spec: SegmentSpec, size: int,
         as_of: date) -> SavedSegment:
    name = name.strip()
    if not name or len(name) > 100:
        raise UserError("分组名称不能为空,最长 100 个字。", "A segment name is 1-100 characters.")
    now = datetime.now().replace(microsecond=0)
    row = {"segment_id": uuid.uuid4().hex[:12], "name": name, "owner": owner,
           "spec": spec.model_dump_json(), "size": size, "as_of": as_of, "created_at": now,
           "refreshed_at": now}
    try:
        with state.begin() as conn:
            conn.execute(text(
                "INSERT INTO segments (segment_id, name, owner, spec, size, as_of, created_at, "
                "refreshed_at) VALUES (:segment_id, :name, :owner, :spec, :size, :as_of, "
                ":created_at, :refreshed_at)"), row)
    except IntegrityError:
        raise UserError(f"你已经有一个叫“{name}”的分组了,换个名字,或先刷新/删除原来的。",
                        f"You already have a segment named {name!r}.") from None
    return find(state, owner, name)


def list_for(state: StateStore, owner: str | None, limit: int = 50) -> list[SavedSegment]:
    """The owner's segments, newest first; owner None lists everyone's (admins)."""
    where = "WHERE owner = :owner" if owner else ""
    with state.begin() as conn:
        rows = conn.execute(text(f"SELECT * FROM segments {where} ORDER BY refreshed_at DESC, "
                                 "name LIMIT :limit"), {"owner": owner, "limit": limit})
        return [_row(r) for r in rows.mappings()]


def find(state: StateStore, owner: str | None, key: str) -> SavedSegment:
    """By name (the owner's) or by id."""
    key = key.strip()
    by_name = "name = :k AND owner = :owner" if owner else "name = :k"
    with state.begin() as conn:
        rows = conn.execute(text(f"SELECT * FROM segments WHERE segment_id = :k OR ({by_name})"),
                            {"k": key, "owner": owner}).mappings().all()
    if len(rows) == 1:
        return _row(rows[0])
    if not rows:
        raise UserError(f"找不到分组“{key}”。用 list_segments 看看已保存的分组。",
                        f"No segment {key!r}; list_segments shows the saved ones.")
    ids = "、".join(f"{r['name']}({r['segment_id']},{r['owner']})" for r in rows)
    raise UserError(f"有多个分组叫“{key}”:{ids},请用编号指定。",
                    f"Several segments are named {key!r}: {ids}; use the id.")


def update_size(state: StateStore, segment_id: str, size: int, as_of: date) -> None:
    with state.begin() as conn:
        conn.execute(text("UPDATE segments SET size = :size, as_of = :as_of, refreshed_at = :now "
                          "WHERE segment_id = :id"),
                     {"size": size, "as_of": as_of, "now": datetime.now().replace(microsecond=0),
                      "id": segment_id})


def delete(state: StateStore, segment_id: str) -> None:
    with state.begin() as conn:
        conn.execute(text("DELETE FROM segments WHERE segment_id = :id"), {"id": segment_id})
