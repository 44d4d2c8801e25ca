"""Which stores a question is about: one store, a region, or the whole chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, TextClause, bindparam, text

from copilot.analytics.remember import remembered
from copilot.errors import UserError
from copilot.lang.stores import StoreRow, match_region, match_store

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


def store_rows(conn: Connection) -> list[StoreRow]:
    """Every store, remembered per data version (each answer needs them two or three times)."""
    return list(remembered(conn, ("store_rows",), lambda: _store_rows(conn)))


def _store_rows(conn: Connection) -> tuple[StoreRow, ...]:
    rows = conn.execute(text("SELECT store_id, name, region, city FROM stores ORDER BY store_id"))
    # city is optional in imports; the matcher wants text everywhere
    return tuple(StoreRow(sid, name, region or "", city or "") for sid, name, region, city in rows)


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
        return Scope("chain", "全连锁", tuple(r.store_id for r in store_rows(conn)))
    if store:
        return resolve_store(conn, store)
    return resolve_region(conn, region or "")


def resolve_store(conn: Connection, key: str) -> Scope:
    """A store by id, name, short name, "3号店" or a near miss; ambiguity lists candidates."""
    rows = store_rows(conn)
    found = match_store(key.strip(), rows)
    if found.store is not None:
        s = found.store
        return Scope("store", f"{s.name}({s.store_id})", (s.store_id,))
    hints = [f"{c.name}({c.store_id})" for c in found.candidates]
    if len(hints) > 1:
        raise UserError(f"“{key}”对应多家门店:{'、'.join(hints)},请说具体是哪一家。",
                        f"{key!r} matches several stores: {', '.join(hints)}; which one?")
    raise UserError(
        f"找不到门店“{key}”。"
        + (f"是不是:{hints[0]}?" if hints else "可以用门店名称或编号,如 S001。"),
        f"No store {key!r}." + (f" Did you mean {hints[0]}?" if hints else ""),
    )


def resolve_region(conn: Connection, key: str) -> Scope:
    regions = sorted({r.region for r in store_rows(conn)})
    found = match_region(key.strip(), regions)
    if found.region is not None:
        ids = [r[0] for r in conn.execute(
            text("SELECT store_id FROM stores WHERE region = :r ORDER BY store_id"),
            {"r": found.region})]
        return Scope("region", found.region, tuple(ids))
    if found.candidates:
        raise found.error("区域", "region")
    raise UserError(
        f"找不到区域“{key}”。现有区域:{'、'.join(regions) or '无'}。",
        f"No region {key!r}. Regions: {', '.join(regions) or 'none'}.",
    )
