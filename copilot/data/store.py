"""Access to member data for many processes at once.

DuckDB allows one read-write process per file and no readers beside it, so the embedded
store never writes the live file: a writer takes an exclusive lock on a side file, copies
the database, changes the copy in one transaction and atomically renames it over the live
file. Readers open the live file read-only and see either the old or the new snapshot,
never a half-written one, and are never blocked by an import. PostgreSQL needs none of
this: writes are one transaction, serialised by an advisory lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from copilot.config import Settings
from copilot.data.migrate import migrate
from copilot.errors import DataBusy, DataNotReady

_PG_WRITE_LOCK = 7_001_002  # advisory lock key shared by every writer of member data



class MemberStore:
    """Opens read snapshots and write transactions on the configured member database."""

    def __init__(self, url: str, *, lock_timeout_s: float = 600.0) -> None:
        self.url = make_url(url)
        self.kind = self.url.get_backend_name()
        if self.kind not in ("duckdb", "postgresql"):
            raise ValueError(f"unsupported member database: {self.kind}")
        self.lock_timeout_s = lock_timeout_s
        self._engine: Engine | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> MemberStore:
        if not settings.database_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        return cls(settings.member_db_url)

    # ---- embedded file paths -------------------------------------------------------------
    @property
    def path(self) -> Path:
        assert self.kind == "duckdb" and self.url.database
        return Path(self.url.database)

    @property
    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def describe(self) -> str:
        return str(self.path) if self.kind == "duckdb" else self.url.render_as_string()

    # ---- reading -------------------------------------------------------------------------
    def exists(self) -> bool:
        if self.kind == "duckdb":
            return self.path.is_file()
        with self._pg_engine().connect() as conn:
            return inspect(conn).has_table("transactions")

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection to the current snapshot."""
        if not self.exists():
            raise DataNotReady(self.describe())
        engine = self._read_engine()
        with engine.connect() as conn:
            yield conn

    def _read_engine(self) -> Engine:
        if self._engine is None:
            self._engine = (self._pg_engine() if self.kind == "postgresql"
                            else _duckdb_engine(self.path, read_only=True))
        return self._engine

    def _pg_engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, pool_pre_ping=True)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # ---- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def write(self, *, fresh: bool = False) -> Iterator[Connection]:
        """One all-or-nothing write. `fresh` starts from an empty database (demo rebuild)."""
        if self.kind == "postgresql":
            with self._pg_write(fresh) as conn:
                yield conn
            return
        with self._file_lock():
            # Only a lock holder creates copies, so any copy found now was left by a writer
            # that was killed mid-write: remove it.
            for stale in self.path.parent.glob(f"{self.path.name}.tmp-*"):
                stale.unlink(missing_ok=True)
            # A new name every time: DuckDB caches open databases by path within a process.
            tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex}")
            try:
                if self.path.exists() and not fresh:
                    shutil.copyfile(self.path, tmp)
                engine = _duckdb_engine(tmp, read_only=False)
                try:
                    with engine.begin() as conn:
                        migrate(conn)
                        yield conn
                    with engine.connect() as conn:
                        conn.exec_driver_sql("CHECKPOINT")
                finally:
                    engine.dispose()
                _fsync(tmp)
                os.replace(tmp, self.path)
                _fsync(self.path.parent)
            finally:
                tmp.unlink(missing_ok=True)
                Path(f"{tmp}.wal").unlink(missing_ok=True)

    @contextlib.contextmanager
    def _pg_write(self, fresh: bool) -> Iterator[Connection]:
        with self._pg_engine().begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_WRITE_LOCK})
            if fresh:
                _drop_member_tables(conn)
            migrate(conn)
            yield conn

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+") as fh:
            deadline = time.monotonic() + self.lock_timeout_s
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DataBusy(self.lock_timeout_s) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _duckdb_engine(path: Path, *, read_only: bool) -> Engine:
    # No pooling: DuckDB shares one open database per path within a process, so a pooled
    # connection to a replaced file would keep serving the old snapshot to later readers.
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": read_only},
                           poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _quiet(dbapi_conn: object, _record: object) -> None:
        # DuckDB draws its own progress bar on long queries; our commands draw theirs.
        dbapi_conn.execute("SET enable_progress_bar = false")  # type: ignore[attr-defined]

    return engine


def _drop_member_tables(conn: Connection) -> None:
    for table in (
        "line_items", "transactions", "products", "members", "staff", "stores",
        "dataset_info", "schema_migrations",
    ):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
