"""Whose list it is: one staff member's own members, or a whole store.

Staff see only their own list (the members they own); store managers their own, any of
their staff's or the whole store's; supervisors and admins must say which store or staff
member, since "today's list" of a region is no one's to-do list. Store scope itself is
enforced by `Access`; this module adds the narrower staff rule on top.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from copilot.data.access import ROLE_ZH, Access
from copilot.errors import UserError

_BY_ID = text("SELECT staff_id, name, store_id FROM staff WHERE UPPER(staff_id) = :key")
_BY_NAME = text("SELECT staff_id, name, store_id FROM staff WHERE name = :key "
                "ORDER BY staff_id")


@dataclass(frozen=True)
class Target:
    """The members the list covers: owned by `staff_id`, or all of `store_id`'s."""

    label: str  # "王芳(E001)名下会员", "朝阳店(S001)全店会员"
    store_id: str
    staff_id: str | None = None

    def where(self) -> tuple[str, dict[str, object]]:
        if self.staff_id is not None:
            return "m.staff_id = :target_staff", {"target_staff": self.staff_id}
        return "m.store_id = :target_store", {"target_store": self.store_id}


def resolve_target(conn: Connection, access: Access, staff: str | None,
                   store: str | None) -> Target:
    user = access.caller.user
    if user.role == "staff" and (store or (staff and not _is_self(conn, staff, user.staff_id))):
        raise UserError(
            "你(导购)只能查看自己的跟进名单(归属你的会员);要看全店或其他导购的名单,请找店长。",
            "As staff you can only see your own follow-up list (the members you own); "
            "ask your store manager for the store's or a colleague's list.")
    if staff:
        person = _find_staff(conn, access, staff)
        if store:
            scope = access.scope(conn, store=store)
            if person["store_id"] not in scope.store_ids:
                raise UserError(f"员工 {person['name']}({person['staff_id']})不在 {scope.label}。",
                                f"{person['staff_id']} does not work at {scope.label}.")
        return Target(f"{person['name']}({person['staff_id']})名下会员",
                      person["store_id"], person["staff_id"])
    if store:
        scope = access.scope(conn, store=store)
        if len(scope.store_ids) != 1:  # pragma: no cover - a store scope is one store
            raise UserError("请只指定一家门店。", "Name one store.")
        return Target(f"{scope.label}全店会员", scope.store_ids[0])
    if user.role in ("staff", "store_manager"):
        return Target(f"{user.name}({user.staff_id})名下会员", user.store_id or "",
                      user.staff_id)
    raise UserError(
        f"你是{ROLE_ZH[user.role]},请说明要看哪家门店或哪位员工的跟进名单,"
        f"例如“朝阳店今天该联系谁”;你可以查看:{access.label}。",
        f"Which store's or staff member's list? e.g. 'who should S001 contact today'; "
        f"you may see: {access.label}.")


def _is_self(conn: Connection, staff: str, me: str) -> bool:
    if staff.strip().upper() == me.upper():
        return True
    row = conn.execute(_BY_NAME, {"key": staff.strip()}).first()
    return row is not None and row[0] == me


def _find_staff(conn: Connection, access: Access, staff: str) -> dict:
    """A staff member by id, or by exact name among the caller's stores."""
    key = staff.strip()
    row = conn.execute(_BY_ID, {"key": key.upper()}).mappings().first()
    if row is None:
        named = [r for r in conn.execute(_BY_NAME, {"key": key}).mappings()
                 if r["store_id"] in access.stores]
        if len(named) > 1:
            ids = "、".join(f"{r['name']}({r['staff_id']})" for r in named)
            raise UserError(f"有多位员工叫 {key}:{ids},请用员工编号。",
                            f"Several staff are called {key}: {ids}; use the staff id.")
        row = named[0] if named else None
    if row is None:
        raise UserError(f"找不到员工 {key!r},请核对员工编号。",
                        f"No staff member {key!r}; check the staff id.")
    if row["store_id"] not in access.stores:
        raise UserError(
            f"员工 {row['staff_id']} 不属于你可查看的门店;你可以查看:{access.label}。",
            f"Staff {row['staff_id']} is outside your stores; you may see: {access.label}.")
    return dict(row)
