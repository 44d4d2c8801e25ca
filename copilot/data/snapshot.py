"""Open connections to the embedded member database, reused until a writer replaces it.

Opening a DuckDB file costs about 14 ms, more than most tool queries, so readers keep
connections open. The catch: DuckDB shares one open database per *path* in a process, so
once a writer has renamed a new file into place, connecting to the same path while an old
connection is alive would hand back the old snapshot for as long as that connection lives.
So each snapshot is opened through its own hard link (`members.duckdb.read-<pid>-<id>`):
a unique path per snapshot, hence a fresh database. Every read compares the live file's
identity (inode, mtime) with the open one; when it changed, the old engine is disposed
(connections still in use finish on the old snapshot) and the next reads get the new one.
The link is removed when its engine is disposed, or by a later reader once its process is
gone. Where no link can be made (a read-only folder) connections are opened per read.
"""

from __future__ import annotations

import os
import threading
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

Factory = Callable[[Path, bool], Engine]  # (path, pooled) → engine
_PROCESS = uuid.uuid4().hex[:6]  # tells this process's links from a predecessor's with our pid


class SnapshotReader:
    def __init__(self, path: Path, factory: Factory) -> None:
        self.path = path
        self._factory = factory
        self._ident: tuple[int, ...] | None = None
        self._engine: Engine | None = None
        self._link: Path | None = None
        self._lock = threading.Lock()

    def engine(self) -> Engine:
        st = os.stat(self.path)
        ident = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        with self._lock:  # threads of a service share the reader
            if self._engine is None or ident != self._ident:
                self._close()
                self._ident = ident
                self._engine, self._link = self._open()
            return self._engine

    def _open(self) -> tuple[Engine, Path | None]:
        self._remove_orphans()
        link = self.path.with_name(
            f"{self.path.name}.read-{os.getpid()}-{_PROCESS}-{uuid.uuid4().hex[:8]}")
        try:
            os.link(self.path, link)
        except OSError:  # read-only folder or a file system without hard links
            return self._factory(self.path, False), None
        # Removed at interpreter exit too, so a command that never calls close() leaves
        # no second name for an old snapshot behind.
        weakref.finalize(self, _unlink, link)
        return self._factory(link, True), link

    def _remove_orphans(self) -> None:
        """Links left by reader processes that are gone (killed, crashed)."""
        for link in self.path.parent.glob(f"{self.path.name}.read-*"):
            pid, _, rest = link.name.split(".read-", 1)[1].partition("-")
            mine = pid == str(os.getpid()) and rest.startswith(_PROCESS)
            # Same pid but another token: an earlier process that had our pid (containers
            # often restart as pid 1).
            if pid.isdigit() and not mine and (int(pid) == os.getpid() or not _alive(int(pid))):
                link.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._link is not None:
            self._link.unlink(missing_ok=True)
            self._link = None


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
