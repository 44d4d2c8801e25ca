"""Bulk loading of DataFrames, the one place where the two engines differ on purpose.

Queries are written once in portable SQL; moving millions of rows in is not a query, and
each engine has its own fast path (DuckDB scans a registered DataFrame, PostgreSQL COPY).
"""

from __future__ import annotations

import itertools

import pandas as pd
from sqlalchemy import Connection

_view_ids = itertools.count()


def insert_frame(conn: Connection, table: str, df: pd.DataFrame) -> int:
    """Append `df` to `table` (columns matched by name) in the caller's transaction."""
    if df.empty:
        return 0
    cols = ", ".join(df.columns)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "duckdb":
        view = f"_bulk_{next(_view_ids)}"
        raw.register(view, df)
        try:
            conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
        finally:
            raw.unregister(view)
        return len(df)
    rows = df.astype(object).where(df.notna(), None).itertuples(index=False, name=None)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return len(df)
