"""Which stores a question is about: one store, a region, or the whole chain."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, TextClause, bindparam, text

from copilot.errors import UserError

ScopeKind = Literal["store", "region", "chain"]


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    label: str
    store_ids: tuple[str, ...]

    @property
    def is_chain(self) -> bool:
        return self.kind == "chain"

    def sql_filter(self, column: str) -> str:
        """A WHERE fragment over `column`; binds `:stores` unless the scope is the chain."""
        return "TRUE" if self.is_chain else f"{column} IN :stores"

    def params(self) -> dict[str, object]:
        return {} if self.is_chain else {"stores": list(self.store_ids)}

    def sql(self, template: str, **columns: str) -> TextClause:
        """Fill `{name}` placeholders with this scope's filter on each given column.

        The store list binds as an expanding parameter (`IN (…)`), which PostgreSQL needs.
        """
        clause = text(template.format(**{k: self.sql_filter(c) for k, c in columns.items()}))
        return clause if self.is_chain else clause.bindparams(bindparam("stores", expanding=True))


def resolve_scope(
    conn: Connection, *, store: str | None = None, region: str | None = None, chain: bool = False
) -> Scope:
    chosen = [x for x in (store, region) if x] + (["chain"] if chain else [])
    if len(chosen) != 1:
        raise UserError(
            "请指定且只指定一个范围:--store 门店、--region 区域 或 --chain 全连锁。",
            "Give exactly one scope: --store, --region or --chain.",
        )
    if chain:
        ids = [r[0] for r in conn.execute(text("SELECT store_id FROM stores ORDER BY store_id"))]
        return Scope("chain", "全连锁", tuple(ids))
    if store:
        return _resolve_store(conn, store.strip())
    return _resolve_region(conn, (region or "").strip())


def _resolve_store(conn: Connection, key: str) -> Scope:
    rows = conn.execute(text("SELECT store_id, name FROM stores")).all()
    for store_id, name in rows:
        if key in (store_id, name):
            return Scope("store", f"{name}({store_id})", (store_id,))
    hints = [f"{n}({i})" for i, n in rows if key in n][:5] or difflib.get_close_matches(
        key, [n for _, n in rows] + [i for i, _ in rows], n=3)
    raise UserError(
        f"找不到门店 {key!r}。" + (f"是不是:{'、'.join(hints)}?" if hints else ""),
        f"No store {key!r}." + (f" Did you mean: {', '.join(hints)}?" if hints else ""),
    )


def _resolve_region(conn: Connection, key: str) -> Scope:
    rows = conn.execute(
        text("SELECT store_id FROM stores WHERE region = :r ORDER BY store_id"), {"r": key}
    ).all()
    if rows:
        return Scope("region", key, tuple(r[0] for r in rows))
    regions = [r[0] for r in conn.execute(text("SELECT DISTINCT region FROM stores"))]
    raise UserError(
        f"找不到区域 {key!r}。现有区域:{'、'.join(sorted(regions)) or '无'}。",
        f"No region {key!r}. Regions: {', '.join(sorted(regions)) or 'none'}.",
    )
