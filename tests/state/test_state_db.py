"""The operational-state database: migrations, audit entries, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest
from sqlalchemy import text

from copilot.state.audit import AuditEntry, recent, record
from copilot.state.db import StateStore
from tests.conftest import pg_schema_url


def _entry(actor: str = "E01", ok: bool = True) -> AuditEntry:
    return AuditEntry(actor=actor, role="staff", channel="cli", conversation="group",
                      action="query_members", args={"member_id": "M01", "名": "张"}, ok=ok,
                      error=None if ok else "找不到", duration_ms=3)


def _check(state: StateStore) -> None:
    first = record(state, _entry())
    record(state, _entry(actor="E02", ok=False))
    rows = recent(state)
    assert [r["actor"] for r in rows] == ["E02", "E01"]
    assert rows[1]["audit_id"] == first
    assert rows[1]["args"] == {"member_id": "M01", "名": "张"}
    assert rows[0]["ok"] in (False, 0) and rows[0]["error"] == "找不到"
    assert [r["actor"] for r in recent(state, actor="E01")] == ["E01"]


def test_sqlite_state_records_and_reads_audit(tmp_path: Path) -> None:
    state = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    _check(state)
    # A second process-level store over the same file sees the same rows and does not
    # re-run migrations (the version table says they are applied).
    again = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    assert len(recent(again)) == 2
    with again.begin() as conn:
        versions = conn.execute(text("SELECT version FROM state_migrations")).scalars().all()
    shipped = sorted(int(f.name[:4]) for f in
                     (Path(__file__).parents[2] / "copilot/state/migrations").glob("*.sql"))
    assert versions == shipped == list(range(1, len(shipped) + 1))  # each applied once


@pytest.mark.postgres
def test_postgres_state_records_and_reads_audit(pg_server: str) -> None:
    with pg_schema_url(pg_server) as url:
        state = StateStore(url)
        try:
            _check(state)
        finally:
            state.close()


def _open_and_record(path: str, n: int) -> None:
    state = StateStore(f"sqlite:///{path}")
    for _ in range(n):
        record(state, _entry())


def test_processes_starting_together_migrate_once_and_all_writes_land(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    procs = [mp.get_context("spawn").Process(target=_open_and_record, args=(path, 20))
             for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(recent(StateStore(f"sqlite:///{path}"), limit=500)) == 80


def test_unsupported_state_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported state database"):
        StateStore("mysql://x/y")
