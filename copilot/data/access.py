"""Who is asking, what they may see, and how personal data is shown to them.

Every member-data tool reads through an `Access` built for the requesting user, so scope is
enforced here, in the data-access layer, whatever a tool or a model asks for: staff and
store managers see their store, supervisors their region, admins the chain, and trainees no
member data at all. Personal data is masked unless the conversation is one-to-one with the
member's owning staff or a manager of the member's store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, TextClause, bindparam, text

from copilot.analytics.scope import Scope, resolve_scope, resolve_store, store_rows
from copilot.data.masking import mask_name, mask_phone
from copilot.errors import UserError

Role = Literal["admin", "supervisor", "store_manager", "staff", "trainee"]
ROLE_ZH = {"admin": "管理员", "supervisor": "督导", "store_manager": "店长", "staff": "导购",
           "trainee": "培训生"}


@dataclass(frozen=True)
class User:
    staff_id: str
    name: str
    role: Role
    store_id: str | None
    region: str | None


@dataclass(frozen=True)
class Caller:
    """The requesting user and where the answer goes (a group, or one-to-one)."""

    user: User
    direct: bool = False
    channel: str = "cli"

    @property
    def conversation(self) -> str:
        return "direct" if self.direct else "group"


def load_user(conn: Connection, staff_id: str) -> User:
    row = conn.execute(
        text("SELECT staff_id, name, role, store_id, region FROM staff WHERE staff_id = :s"),
        {"s": staff_id.strip().upper()},
    ).mappings().first()
    if row is None:
        raise UserError(f"找不到员工编号 {staff_id!r},请确认后再试(或请店长为你登记)。",
                        f"No staff member {staff_id!r}; check the id or ask your manager.")
    if row["role"] not in ROLE_ZH:
        raise UserError(f"员工 {staff_id} 的角色 {row['role']!r} 无法识别,请联系管理员。",
                        f"Staff {staff_id} has an unknown role {row['role']!r}.")
    return User(**row)


@dataclass(frozen=True)
class Access:
    """The stores `caller` may see, and the rules for showing their members."""

    caller: Caller
    stores: tuple[str, ...]
    label: str  # what the user may see, in words: "北京朝阳大悦城店(S001)", "华北区 10 家门店"

    @classmethod
    def for_caller(cls, conn: Connection, caller: Caller) -> Access:
        user = caller.user
        if user.role == "trainee":
            raise UserError("培训账号不能查看会员数据;可以让我陪你练习话术,或查阅运营手册。",
                            "Trainee accounts cannot see member data; try practice or playbooks.")
        rows = store_rows(conn)
        if user.role == "admin":
            return cls(caller, tuple(r.store_id for r in rows), "全连锁")
        if user.role == "supervisor":
            mine = tuple(r.store_id for r in rows if r.region == user.region)
            return cls(caller, mine, f"{user.region}区 {len(mine)} 家门店")
        own = [r for r in rows if r.store_id == user.store_id]
        label = f"{own[0].name}({own[0].store_id})" if own else f"门店 {user.store_id}"
        return cls(caller, tuple(r.store_id for r in own), label)

    @property
    def role(self) -> Role:
        return self.caller.user.role

    def default_scope(self, conn: Connection) -> Scope:
        """No store or region named: the user's own view."""
        if self.role == "admin":
            return Scope("chain", "全连锁", self.stores)
        if self.role == "supervisor":
            return Scope("region", self.caller.user.region or "", self.stores)
        return resolve_store(conn, self.stores[0]) if self.stores else self._refuse("你的门店")

    def scope(self, conn: Connection, *, store: str | None = None, region: str | None = None,
              chain: bool = False) -> Scope:
        """Resolve a store or region name forgivingly, then check the user may see it."""
        if not (store or region or chain):
            return self.default_scope(conn)
        return self.check(resolve_scope(conn, store=store, region=region, chain=chain))

    def check(self, scope: Scope) -> Scope:
        outside = set(scope.store_ids) - set(self.stores)
        if outside or not scope.store_ids:
            self._refuse(scope.label)
        return scope

    def _refuse(self, what: str) -> Scope:
        role = ROLE_ZH[self.role]
        raise UserError(f"你({role})没有查看 {what} 的权限;你可以查看:{self.label}。",
                        f"As {self.role} you cannot see {what}; you may see: {self.label}.")

    def sql(self, template: str, **columns: str) -> TextClause:
        """SQL with `{name}` placeholders limited to the user's stores on each given column.

        Every tool query that reads member rows goes through here (tests call each tool as
        users of other stores), so the arguments a model passes cannot widen the rows read.
        Aggregates are the one exception by design: store_parts computes every store's
        counts, and tools show only the caller's own stores plus region/chain totals.
        """
        fill = {k: f"{c} IN :access_stores" for k, c in columns.items()}
        clause = text(template.format(**fill))
        if not columns:
            return clause
        return clause.bindparams(bindparam("access_stores", expanding=True))

    def params(self) -> dict[str, object]:
        return {"access_stores": list(self.stores)}

    def reveals(self, member_store: str | None, member_staff: str | None) -> bool:
        """Full personal data only one-to-one, to the owning staff or that store's manager."""
        user = self.caller.user
        if not self.caller.direct:
            return False
        if member_staff is not None and member_staff == user.staff_id:
            return True
        return user.role == "store_manager" and member_store == user.store_id

    def show(self, name: str | None, phone: str | None, member_store: str | None,
             member_staff: str | None) -> tuple[str | None, str | None, bool]:
        """(name, phone, masked) as this caller may see them."""
        if self.reveals(member_store, member_staff):
            return name, phone, False
        return mask_name(name), mask_phone(phone), True
