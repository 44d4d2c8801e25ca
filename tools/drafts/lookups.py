"""What a draft needs from the data: the caller's stores, the store named, a saved
segment, and the members' names a pasted text might contain (to flag, never to write)."""

from __future__ import annotations

from sqlalchemy import Connection

from copilot.analytics.scope import resolve_store, store_rows
from copilot.data.access import Access, Caller
from copilot.errors import UserError
from tools.base import ToolContext
from tools.drafts.result import SegmentRef
from tools.segments import saved


def access(conn: Connection, caller: Caller) -> Access:
    """The caller's store scope. A trainee sees no member data, but a store's name is not
    member data: for drafting, a trainee's scope is their own store."""
    if caller.user.role != "trainee":
        return Access.for_caller(conn, caller)
    own = [r for r in store_rows(conn) if r.store_id == caller.user.store_id]
    label = f"{own[0].name}({own[0].store_id})" if own else "你所在的门店"
    return Access(caller, tuple(r.store_id for r in own), label)


def store(conn: Connection, access: Access, caller: Caller, key: str | None
           ) -> tuple[str | None, str | None]:
    """(label, name) of the store the post is for: the one named (within the caller's scope)
    or the caller's own; (None, None) for a supervisor or admin who names none."""
    if key:
        scope = access.scope(conn, store=key)
    elif caller.user.store_id:
        scope = resolve_store(conn, caller.user.store_id)
    else:
        return None, None
    names = {r.store_id: r.name for r in store_rows(conn)}
    return scope.label, names.get(scope.store_ids[0], scope.label)


def segment(ctx: ToolContext, key: str) -> SegmentRef:
    user = ctx.caller.user
    if user.role == "trainee":
        raise UserError("培训账号不能使用会员分组;可以不填 segment,用 audience 写发送对象,"
                        "如“金卡会员”。",
                        "Trainee accounts cannot use member segments; describe the audience.")
    seg = saved.find(ctx.state, None if user.role == "admin" else user.staff_id, key)
    return SegmentRef(segment_id=seg.segment_id, name=seg.name, size=seg.size, as_of=seg.as_of)


def member_names(conn: Connection, access: Access, strings: list[str]) -> list[str]:
    """Full names of members the caller may see that appear in the user's own words: a
    pasted draft, or the offer/audience they typed. Our templates contain no names."""
    if not strings or not access.stores:
        return []
    query = access.sql("SELECT DISTINCT name FROM members WHERE {s} AND name IS NOT NULL "
                       "AND length(name) >= 2 AND strpos(:hay, name) > 0 LIMIT 20",
                       s="store_id")
    return [r[0] for r in conn.execute(query, {**access.params(), "hay": "\n".join(strings)})]
