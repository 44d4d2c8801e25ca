"""References between files and the database: which ids exist, which rows name unknown ones.

Ids are looked up in bulk through a temporary key table joined to the member tables, so a
500 k-row file costs one query per column instead of one per row, on both engines.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from copilot.data.bulk import insert_frame
from copilot.data.importer.columns import ORDER, REFERENCES, SPECS
from copilot.data.importer.validate import FileCheck

KEYS = "_copilot_import_keys"
_SINGULAR = {"stores": "store", "staff": "staff member", "members": "member",
             "transactions": "transaction"}


class Lookup:
    """Bulk id look-ups on one connection (None: no database yet, nothing exists)."""

    def __init__(self, conn: Connection | None) -> None:
        self.conn = conn
        self._ready = False

    def fill(self, keys: pd.Index) -> None:
        assert self.conn is not None
        if not self._ready:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {KEYS}")
            self.conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {KEYS} (k VARCHAR)")
            self._ready = True
        else:
            self.conn.exec_driver_sql(f"DELETE FROM {KEYS}")
        insert_frame(self.conn, KEYS, pd.DataFrame({"k": pd.array(keys, dtype="str")}))

    def rows(self, table: str, key: str, keys: pd.Index, columns: tuple[str, ...] = ()) -> list:
        if self.conn is None or keys.empty:
            return []
        self.fill(keys)
        cols = ", ".join(f"t.{c}" for c in (key, *columns))
        result = self.conn.exec_driver_sql(
            f"SELECT DISTINCT {cols} FROM {table} t JOIN {KEYS} k ON t.{key} = k.k"
        )
        return list(result)

    def existing(self, table: str, key: str, keys: pd.Index) -> pd.Index:
        return pd.Index([r[0] for r in self.rows(table, key, keys)], dtype="str")

    def close(self) -> None:
        if self.conn is not None and self._ready:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {KEYS}")
            self._ready = False


def check_references(checks: dict[str, FileCheck], lookup: Lookup) -> None:
    """Reject rows naming an id that is neither in the database nor a good row of this import.

    Files are handled in load order, so a row refused for a reference makes rows that name
    it refused too (a transaction of a member whose store is unknown).
    """
    for key in ORDER:
        check = checks.get(key)
        if check is None:
            continue
        for column, target in REFERENCES.get(key, ()):
            _check_column(check, column, target, checks.get(target), lookup)
        if key == "items":
            _fill_categories(check, checks.get("products"), lookup)
        spec = check.spec
        ids = check.good_ids()
        table = spec.table
        check.existing = 0
        if not ids.empty:
            found = lookup.existing(table, spec.id_col, ids)
            if spec.many:  # rows whose transaction (member) already had lines (tags)
                check.existing = int(check.good[spec.id_col].isin(found).sum())
            else:
                check.existing = len(found)


def _check_column(
    check: FileCheck, column: str, target: str, other: FileCheck | None, lookup: Lookup
) -> None:
    values = check.clean[column]
    named = values.notna()  # rows already refused are checked too: report every problem
    if not named.any():
        return
    wanted = pd.Index(values[named].unique())
    known = other.good_ids() if other is not None else pd.Index([], dtype="str")
    missing = wanted.difference(known)
    if missing.empty:
        return
    tspec = SPECS[target]
    missing = missing.difference(lookup.existing(tspec.table, tspec.id_col, missing))
    if missing.empty:
        return
    unknown = named & values.isin(missing)
    what_zh, what_en = tspec.zh, _SINGULAR[target]
    shown = values[unknown].astype(str)
    zh = what_zh + " " + shown + " 不存在(数据库和本次导入的文件里都没有)"
    en = f"unknown {what_en} id " + shown + " (not in the database nor in this import)"
    if other is not None:
        rejected = other.raw.loc[other.bad, ["_row", tspec.id_col]]
        rejected = rejected[rejected[tspec.id_col].isin(missing)]
        first = rejected.drop_duplicates(tspec.id_col).set_index(tspec.id_col)["_row"]
        where = values[unknown].map(first)
        hit = where.notna()
        if hit.any():
            rows = where[hit].astype("int64").astype(str)
            zh[hit] = (what_zh + " " + shown[hit] + f" 在本次导入中被拒绝(见 {other.label} 第 "
                       + rows + " 行),所以这一行也不能导入")
            en[hit] = (f"{what_en} " + shown[hit] + f" was rejected in this import (see "
                       f"{other.label} row " + rows + "), so this row is rejected too")
    check.reject(unknown, column, zh, en)


def _fill_categories(items: FileCheck, products: FileCheck | None, lookup: Lookup) -> None:
    """An item without a category takes its product's, from this import or the database."""
    clean = items.clean
    blank = clean["category"].isna() & ~items.bad
    if not blank.any():
        return
    skus = pd.Index(clean.loc[blank, "sku"].unique())
    known: dict[str, str] = {}
    if products is not None:
        good = products.good
        known.update(zip(good["sku"], good["category"], strict=True))
    rest = skus.difference(pd.Index(list(known), dtype="str"))
    known.update({sku: cat for sku, cat in lookup.rows("products", "sku", rest, ("category",))})
    clean.loc[blank, "category"] = clean.loc[blank, "sku"].map(known).astype("str")
