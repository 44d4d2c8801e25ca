"""Reused read connections always see the latest snapshot, and leave no links behind."""

from __future__ import annotations

import os

from sqlalchemy import text

from copilot.data.dataset import set_info
from copilot.data.store import MemberStore


def _value(store: MemberStore) -> str:
    with store.read() as conn:
        return conn.execute(text("SELECT value FROM dataset_info WHERE key = 'k'")).scalar()


def _set(store: MemberStore, value: str) -> None:
    with store.write() as conn:
        set_info(conn, k=value)


def test_reads_reuse_connections_and_follow_every_write(settings) -> None:
    store = MemberStore.from_settings(settings)
    _set(store, "one")
    assert _value(store) == "one"
    engine = store._read_engine()
    assert store._read_engine() is engine  # same snapshot: the open engine is reused
    with store.read() as held:  # a reader still busy on the old snapshot …
        _set(store, "two")
        assert _value(store) == "two"  # … does not hold later readers back
        assert held.execute(text("SELECT value FROM dataset_info WHERE key = 'k'")
                            ).scalar() == "one"
    assert store._read_engine() is not engine
    _set(store, "three")
    assert _value(store) == "three"
    links = list(store.path.parent.glob("members.duckdb.read-*"))
    assert len(links) == 1  # only the open snapshot's
    store.close()
    assert not list(store.path.parent.glob("members.duckdb.read-*"))


def test_links_of_dead_readers_are_removed(settings) -> None:
    store = MemberStore.from_settings(settings)
    _set(store, "x")
    orphan = store.path.with_name("members.duckdb.read-999999999-deadbeef")
    os.link(store.path, orphan)
    mine = store.path.with_name(f"members.duckdb.read-{os.getppid()}-cafe0000-x")  # alive
    os.link(store.path, mine)
    assert _value(store) == "x"
    assert not orphan.exists() and mine.exists()
    mine.unlink()
    store.close()


def test_without_hard_links_reads_still_follow_writes(settings, monkeypatch) -> None:
    """A read-only folder or a file system without links: connections per read instead."""
    def refuse(*_args: object) -> None:
        raise PermissionError("read-only")

    store = MemberStore.from_settings(settings)
    _set(store, "a")
    monkeypatch.setattr("copilot.data.snapshot.os.link", refuse)
    assert _value(store) == "a"
    _set(store, "b")
    assert _value(store) == "b"
    assert not list(store.path.parent.glob("members.duckdb.read-*"))
    store.close()


def test_predecessor_with_our_pid_is_cleaned_and_exit_removes_links(settings) -> None:
    import subprocess
    import sys

    store = MemberStore.from_settings(settings)
    _set(store, "y")
    store.close()
    earlier = store.path.with_name(f"members.duckdb.read-{os.getpid()}-000000-old")
    os.link(store.path, earlier)
    assert _value(store) == "y"
    assert not earlier.exists()  # our pid, but not this process's token
    store.close()
    code = ("from copilot.data.store import MemberStore; import sys; "
            "s = MemberStore('duckdb:///' + sys.argv[1]); "
            "c = s.read().__enter__(); print(len(list(s.path.parent.glob('*.read-*'))))")
    out = subprocess.run([sys.executable, "-c", code, str(store.path)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"  # a link while it ran (never closed) …
    assert not list(store.path.parent.glob("members.duckdb.read-*"))  # … gone at exit
