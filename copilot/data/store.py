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
import functools
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from copilot.config import Settings
from copilot.data.derived import refresh_derived
from copilot.data.migrate import load_migrations, migrate
from copilot.data.snapshot import SnapshotReader
from copilot.errors import DataBusy, DataNotReady, UserError

_PG_WRITE_LOCK = 7_001_002  # advisory lock key shared by every writer of member data
# Stores (by URL) known to be at the latest migration in this process: checked once each.
_CURRENT: set[str] = set()


class MemberStore:
    """Opens read snapshots and write transactions on the configured member database."""

    def __init__(self, url: str, *, lock_timeout_s: float = 600.0) -> None:
        self.url = make_url(url)
        self.kind = self.url.get_backend_name()
        if self.kind not in ("duckdb", "postgresql"):
            raise ValueError(f"unsupported member database: {self.kind}")
        self.lock_timeout_s = lock_timeout_s
        self._engine: Engine | None = None  # PostgreSQL
        self._snapshots: SnapshotReader | None = None  # DuckDB

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
        self._upgrade_if_old()
        engine = self._read_engine()
        with engine.connect() as conn:
            yield conn

    @property
    def _key(self) -> str:
        return self.url.render_as_string(hide_password=False)

    def _upgrade_if_old(self) -> None:
        """Bring data written by an older version up to the latest migration, once.

        Readers open DuckDB read-only and never migrate, so a file made before a migration
        would lack its tables and columns: the first read in a process checks the version
        and, if it is behind, runs an empty write (migrate + rebuild the derived tables).
        """
        if self._key in _CURRENT:
            return
        with self._read_engine().connect() as conn:
            version = conn.exec_driver_sql("SELECT MAX(version) FROM schema_migrations").scalar()
        if (version or 0) < latest_version():
            try:
                with self.write():
                    pass
            except OSError as exc:  # a read-only data dir, a full disk
                raise UserError(
                    f"会员数据({self.describe()})是旧版本生成的,需要升级一次才能读取,"
                    f"但无法写入:{exc}。请用有写权限的账号运行一次 `copilot data info`。",
                    f"The member data ({self.describe()}) was written by an older version and "
                    f"must be upgraded once before reading, but cannot be written: {exc}. "
                    "Run `copilot data info` once as a user who may write it.",
                ) from exc
        _CURRENT.add(self._key)

    def _read_engine(self) -> Engine:
        if self.kind == "postgresql":
            return self._pg_engine()
        if self._snapshots is None:
            self._snapshots = SnapshotReader(
                self.path, lambda path, pooled: _duckdb_engine(path, read_only=True,
                                                               pooled=pooled))
        return self._snapshots.engine()

    def _pg_engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, pool_pre_ping=True)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._snapshots is not None:
            self._snapshots.close()
            self._snapshots = None

    # ---- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def write(self, *, fresh: bool = False) -> Iterator[Connection]:
        """One all-or-nothing write. `fresh` starts from an empty database (demo rebuild).

        Pending migrations run first; after the caller's body the derived per-member tables
        are rebuilt (`copilot.data.derived`), in the same transaction as the change.
        """
        if self.kind == "postgresql":
            with self._pg_write(fresh) as conn:
                yield conn
            _CURRENT.add(self._key)
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
                        # The derived tables follow the data in the same transaction.
                        refresh_derived(conn)
                    with engine.connect() as conn:
                        conn.exec_driver_sql("CHECKPOINT")
                finally:
                    engine.dispose()
                _fsync(tmp)
                os.replace(tmp, self.path)
                _fsync(self.path.parent)
                _CURRENT.add(self._key)
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
            refresh_derived(conn)

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


def _duckdb_engine(path: Path, *, read_only: bool, pooled: bool = False) -> Engine:
    # Pooled only for a snapshot's own path (snapshot.py): DuckDB shares one open database
    # per path within a process, so a pooled connection to the live path of a file that a
    # writer replaces would keep serving the old snapshot to later readers.
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": read_only},
                           **({"pool_size": 4, "max_overflow": 8} if pooled
                              else {"poolclass": NullPool}))

    @event.listens_for(engine, "connect")
    def _quiet(dbapi_conn: object, record: ConnectionPoolEntry) -> None:
        # DuckDB draws its own progress bar on long queries; our commands draw theirs.
        dbapi_conn.execute("SET enable_progress_bar = false")  # type: ignore[attr-defined]
        # A read-only connection sees one snapshot forever: facts about it can be kept.
        record.info["snapshot"] = read_only

    return engine


def _drop_member_tables(conn: Connection) -> None:
    for table in (
        "member_categories", "member_stats", "member_tags",
        "line_items", "transactions", "products", "members", "staff", "stores",
        "dataset_info", "schema_migrations",
    ):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")


@functools.cache
def latest_version() -> int:
    """The highest migration number this code knows (same on every engine)."""
    return max(m.version for m in load_migrations("duckdb"))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
