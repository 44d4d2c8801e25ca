"""Bulk loading of DataFrames, the one place where the two engines differ on purpose.

Queries are written once in portable SQL; moving millions of rows in is not a query, and
each engine has its own fast path (DuckDB scans a registered DataFrame, PostgreSQL COPY).
"""

from __future__ import annotations

import itertools

import pandas as pd
from sqlalchemy import Connection, TextClause

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


def read_frame(conn: Connection, sql: TextClause, params: dict[str, object]) -> pd.DataFrame:
    """Run a query and return a DataFrame; DuckDB hands over columns without Python rows."""
    result = conn.execute(sql, params)
    if conn.dialect.name == "duckdb":
        return result.cursor.fetch_df()  # type: ignore[union-attr]
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
