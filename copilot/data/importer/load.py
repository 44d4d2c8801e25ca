"""Write the good rows: replace by id (delete, then insert) inside the caller's transaction.

Delete-then-insert instead of ON CONFLICT because the embedded tables carry no key on
transactions, and line items (tags) are replaced per transaction (member), which no upsert
clause covers.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, text

from copilot.data.bulk import insert_frame, read_frame
from copilot.data.importer.columns import ORDER
from copilot.data.importer.refs import KEYS, Lookup
from copilot.data.importer.validate import FileCheck


def table_frame(check: FileCheck) -> pd.DataFrame:
    """The good rows with exactly the table's columns, as the database will store them."""
    good = check.good
    return pd.DataFrame({name: good[name] for name in check.spec.names}).reset_index(drop=True)


def _keep_stored(conn: Connection, frame: pd.DataFrame, table: str, id_col: str,
                 provided: set[str]) -> pd.DataFrame:
    """A file without, say, the opt-out column must not reset opt-outs of known members:
    for ids already stored, columns the file does not carry keep their stored values."""
    missing = [c for c in frame.columns if c not in provided and c != id_col]
    if not missing:
        return frame
    stored = read_frame(conn, text(
        f"SELECT {id_col}, {', '.join(missing)} FROM {table} "
        f"WHERE {id_col} IN (SELECT k FROM {KEYS})"), {}).set_index(id_col)
    out = frame.set_index(id_col)
    known = out.index.intersection(stored.index)
    for col in missing:
        out[col] = out[col].astype(object)
        out.loc[known, col] = stored.loc[known, col].astype(object).to_numpy()
    return out.reset_index()[frame.columns]


def upsert_all(conn: Connection, lookup: Lookup, checks: dict[str, FileCheck]) -> int:
    """Replace every good row by id; returns the number of rows written."""
    written = 0
    for key in ORDER:
        check = checks.get(key)
        if check is None:
            continue
        frame = table_frame(check)
        if frame.empty:
            continue
        spec = check.spec
        lookup.fill(pd.Index(frame[spec.id_col].unique()))
        if check.existing and not spec.many:
            frame = _keep_stored(conn, frame, spec.table, spec.id_col, set(check.headers))
        conn.exec_driver_sql(
            f"DELETE FROM {spec.table} WHERE {spec.id_col} IN (SELECT k FROM {KEYS})"
        )
        written += insert_frame(conn, spec.table, frame)
    return written
