"""Several processes on one embedded database: readers never block or see half a write,
and concurrent writers are serialised without losing each other's rows."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from copilot.data.bulk import insert_frame
from copilot.data.store import MemberStore
from copilot.errors import DataBusy, DataNotReady

BATCH = 2_000


def _rows(prefix: str, n: int = BATCH) -> pd.DataFrame:
    return pd.DataFrame({
        "tx_id": [f"{prefix}-{i}" for i in range(n)], "member_id": None, "store_id": "S1",
        "staff_id": None, "ts": pd.Timestamp("2024-01-01 10:00"), "amount": 1.0, "units": 1,
        "channel": "store",
    })


def _write_batch(url: str, prefix: str, hold_s: float = 0.0) -> None:
    """One all-or-nothing write: a batch of transactions plus its marker row."""
    store = MemberStore(url)
    with store.write() as conn:
        insert_frame(conn, "transactions", _rows(prefix))
        time.sleep(hold_s)  # keep the write open so the other process really overlaps
        conn.execute(text("INSERT INTO dataset_info (key, value) VALUES (:k, 'x')"), {"k": prefix})


def _reader(url: str, seconds: float, out: mp.Queue) -> None:
    store = MemberStore(url)
    seen, errors = set(), []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with store.read() as conn:
                n = conn.execute(text("SELECT COUNT(*) FROM transactions")).scalar_one()
                marks = conn.execute(text(  # the store's own keys, not a batch's
                    "SELECT COUNT(*) FROM dataset_info"
                    " WHERE key NOT IN ('facts_as_of', 'data_version')")).scalar_one()
            seen.add((n, marks))
        except Exception as exc:
            errors.append(repr(exc))
    out.put((sorted(seen), errors))


@pytest.fixture
def url(tmp_path: Path) -> str:
    u = f"duckdb:///{tmp_path}/m.duckdb"
    _write_batch(u, "base")
    return u


def test_readers_see_whole_snapshots_while_writers_run(url: str) -> None:
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    reader = ctx.Process(target=_reader, args=(url, 4.0, out))
    reader.start()
    writers = [ctx.Process(target=_write_batch, args=(url, f"w{i}", 0.3)) for i in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(30)
        assert w.exitcode == 0
    seen, errors = out.get(timeout=30)
    reader.join(10)
    assert errors == []
    # Every snapshot a reader saw is a whole number of batches, each with its marker.
    assert all(n == BATCH * marks for n, marks in seen), seen
    assert len(seen) >= 2  # it saw the data change while it kept reading
    with MemberStore(url).read() as conn:
        final = conn.execute(text("SELECT COUNT(*) FROM transactions")).scalar_one()
    assert final == 5 * BATCH  # no writer lost another's rows


def test_failed_write_leaves_data_untouched(url: str) -> None:
    store = MemberStore(url)
    with pytest.raises(RuntimeError), store.write() as conn:
        insert_frame(conn, "transactions", _rows("bad"))
        raise RuntimeError("crash mid-import")
    with store.read() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM transactions")).scalar_one() == BATCH
    leftovers = [p.name for p in store.path.parent.iterdir() if ".tmp-" in p.name]
    assert leftovers == []


def test_writer_gives_up_with_a_clear_message_when_locked(url: str) -> None:
    ctx = mp.get_context("spawn")
    holder = ctx.Process(target=_write_batch, args=(url, "slow", 3.0))
    holder.start()
    time.sleep(1.5)  # let it take the lock
    impatient = MemberStore(url, lock_timeout_s=0.3)
    with pytest.raises(DataBusy, match="导入"), impatient.write():
        pass
    holder.join(30)
    assert holder.exitcode == 0


def test_reading_before_any_data_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DataNotReady, match="copilot data demo"), \
            MemberStore(f"duckdb:///{tmp_path}/none.duckdb").read():
        pass


def _replace_batch(url: str, hold_s: float) -> None:
    """Re-import the same ids the way the importer does: delete them, insert them again."""
    store = MemberStore(url)
    with store.write() as conn:
        conn.execute(text("DELETE FROM transactions WHERE tx_id LIKE 'same-%'"))
        time.sleep(hold_s)
        insert_frame(conn, "transactions", _rows("same"))
    store.close()


def test_postgres_writers_are_serialised(pg_url: str) -> None:
    """Two re-imports of the same file at once must not leave the rows twice."""
    _replace_batch(pg_url, 0)
    ctx = mp.get_context("spawn")
    writers = [ctx.Process(target=_replace_batch, args=(pg_url, 0.5)) for _ in range(3)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
        assert w.exitcode == 0
    store = MemberStore(pg_url)
    with store.read() as conn:
        total, distinct = conn.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT tx_id) FROM transactions")).one()
    store.close()
    assert (total, distinct) == (BATCH, BATCH)


def test_copies_left_by_a_killed_writer_are_cleaned_up(url: str) -> None:
    store = MemberStore(url)
    leftover = store.path.with_name(f"{store.path.name}.tmp-99999-deadbeef")
    leftover.write_bytes(b"half a database")
    with store.write() as conn:
        conn.execute(text("INSERT INTO dataset_info (key, value) VALUES ('k', 'v')"))
    assert not leftover.exists()
