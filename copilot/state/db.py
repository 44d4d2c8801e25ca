"""The operational-state database: one engine per process, migrated on first use.

SQLite (the default) runs in WAL mode with a busy timeout so the CLI, the service and a
worker can share the file; PostgreSQL needs neither. Schema changes go through the
numbered migrations in copilot/state/migrations, applied under a lock so two processes
starting together do not both run them.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from copilot.config import Settings
from copilot.data.migrate import migrate

_PG_MIGRATE_LOCK = 7_001_101
_TABLE = "state_migrations"


def as_datetime(value: Any) -> datetime:
    """A timestamp as read back: SQLite gives text, PostgreSQL a datetime."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


class StateStore:
    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.kind = self.url.get_backend_name()
        if self.kind not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported state database: {self.kind}")
        self._engine: Engine | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> StateStore:
        if not settings.state_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        return cls(settings.state_db_url)

    def _make_engine(self) -> Engine:
        if self.kind == "postgresql":
            return create_engine(self.url, pool_pre_ping=True)
        engine = create_engine(self.url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: object, _record: object) -> None:
            cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            engine = self._make_engine()
            with self._migration_lock(), engine.begin() as conn:
                if self.kind == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATE_LOCK})")
                migrate(conn, "copilot.state", _TABLE)
            self._engine = engine
        return self._engine

    @contextlib.contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """SQLite: a side-file lock, because a deferred transaction that reads the version
        table and then writes fails with "database is locked" when another process does the
        same; PostgreSQL uses an advisory lock inside the transaction instead."""
        if self.kind != "sqlite" or not self.url.database or self.url.database == ":memory:":
            yield
            return
        lock = Path(f"{self.url.database}.lock")
        lock.parent.mkdir(parents=True, exist_ok=True)
        with open(lock, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on an error."""
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
