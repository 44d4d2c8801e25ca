"""Write the good rows: replace by id (delete, then insert) inside the caller's transaction.

Delete-then-insert instead of ON CONFLICT because the embedded tables carry no key on
transactions and line items are replaced per transaction, which no upsert clause covers.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from copilot.data.bulk import insert_frame
from copilot.data.importer.columns import ORDER
from copilot.data.importer.refs import KEYS, Lookup
from copilot.data.importer.validate import FileCheck


def table_frame(check: FileCheck) -> pd.DataFrame:
    """The good rows with exactly the table's columns, as the database will store them."""
    good = check.good
    return pd.DataFrame({name: good[name] for name in check.spec.names}).reset_index(drop=True)


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
        conn.exec_driver_sql(
            f"DELETE FROM {spec.table} WHERE {spec.id_col} IN (SELECT k FROM {KEYS})"
        )
        written += insert_frame(conn, spec.table, frame)
    return written
