"""Numbered, append-only SQL migrations shared by DuckDB and PostgreSQL.

`NNNN_name.sql` runs on every engine; `NNNN_name.<dialect>.sql` adds physical design
(indexes) for one engine only. Applied versions are recorded in `schema_migrations`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import Connection, text

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: list[str]


def _split(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


def load_migrations(dialect: str, package: str = "copilot.data") -> list[Migration]:
    """The migrations in `package`/migrations: member data by default, or another database's."""
    folder = resources.files(package) / "migrations"
    found: list[Migration] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        m = _NAME.match(entry.name)
        if not m:
            continue
        statements = _split(entry.read_text(encoding="utf-8"))
        extra = folder / f"{m.group(1)}_{m.group(2)}.{dialect}.sql"
        if extra.is_file():
            statements += _split(extra.read_text(encoding="utf-8"))
        found.append(Migration(int(m.group(1)), m.group(2), statements))
    return found


def applied_versions(conn: Connection, table: str = "schema_migrations") -> set[int]:
    conn.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {table} ("
        " version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    return {row[0] for row in conn.exec_driver_sql(f"SELECT version FROM {table}")}


def migrate(
    conn: Connection, package: str = "copilot.data", table: str = "schema_migrations"
) -> list[int]:
    """Apply pending migrations inside the caller's transaction; return the versions applied.

    Each database keeps its own version table, so member data and operational state can
    share one PostgreSQL database without mistaking each other's versions.
    """
    done = applied_versions(conn, table)
    applied: list[int] = []
    for mig in load_migrations(conn.dialect.name, package):
        if mig.version in done:
            continue
        for stmt in mig.statements:
            conn.exec_driver_sql(stmt)
        conn.execute(
            text(f"INSERT INTO {table} (version, name) VALUES (:v, :n)"),
            {"v": mig.version, "n": mig.name},
        )
        applied.append(mig.version)
    return applied
