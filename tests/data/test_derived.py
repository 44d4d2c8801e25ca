"""Derived per-member tables (member_stats, member_categories) and upgrading old files.

Values are worked out by hand from tests/analytics/handbuilt.py.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection, create_engine, text

from copilot.data import store as store_module
from copilot.data.bulk import insert_frame
from copilot.data.dataset import read_info
from copilot.data.derived import refresh_derived
from copilot.data.migrate import load_migrations
from copilot.data.store import MemberStore, latest_version
from copilot.errors import UserError
from tests.analytics import handbuilt

# member_stats, from the member transactions (T5 and T12 are walk-ins):
#   M1: T7 2024-02-29 12:00 40 + T1 03-01 00:00 100 + T2 03-01 18:00 50 -> 3 purchases, 190
#   M2: T9 03-20 12:00 70 + T3 03-31 23:59:59 200 -> 2, 270
#   M3: T4 04-01 00:00 80 -> 1, 80
#   M6: T6 2023-07-01 12:00 300 + T10 2023-10-03 20:00 90 -> 2, 390
#   M7: T11 2023-10-02 09:00 30 -> 1, 30
#   M4, M5 never bought: no row.
STATS = [
    ("M1", datetime(2024, 2, 29, 12), datetime(2024, 3, 1, 18), 3, Decimal("190.00")),
    ("M2", datetime(2024, 3, 20, 12), datetime(2024, 3, 31, 23, 59, 59), 2, Decimal("270.00")),
    ("M3", datetime(2024, 4, 1), datetime(2024, 4, 1), 1, Decimal("80.00")),
    ("M6", datetime(2023, 7, 1, 12), datetime(2023, 10, 3, 20), 2, Decimal("390.00")),
    ("M7", datetime(2023, 10, 2, 9), datetime(2023, 10, 2, 9), 1, Decimal("30.00")),
]
# member_categories, from the line items of member transactions (T5's line is a walk-in's):
#   M1 上装: T1 60 + T2 50 -> 2 purchases, 110, last T2; 连衣裙: T1 40; 配饰: T7 40
#   M2 连衣裙: T3 120 + T9 35 + 35 -> 2 purchases (T9 counts once), 190, last T3;
#      配饰: T3 50; the line without a category: T3 30 as 未分类
#   M3, M6, M7 have no line items: no rows.
T1, T2, T3 = datetime(2024, 3, 1), datetime(2024, 3, 1, 18), datetime(2024, 3, 31, 23, 59, 59)
CATEGORIES = [
    ("M1", "上装", 2, Decimal("110.00"), T2),
    ("M1", "连衣裙", 1, Decimal("40.00"), T1),
    ("M1", "配饰", 1, Decimal("40.00"), datetime(2024, 2, 29, 12)),
    ("M2", "未分类", 1, Decimal("30.00"), T3),
    ("M2", "连衣裙", 2, Decimal("190.00"), T3),
    ("M2", "配饰", 1, Decimal("50.00"), T3),
]
FACTS_AS_OF = "2024-04-01"  # T4, 2024-04-01 00:00, is the last transaction


def derived(conn: Connection) -> tuple[list[tuple], list[tuple]]:
    stats = conn.execute(text(
        "SELECT member_id, first_ts, last_ts, purchases, spend FROM member_stats "
        "ORDER BY member_id")).all()
    cats = conn.execute(text(
        "SELECT member_id, category, purchases, spend, last_ts FROM member_categories "
        "ORDER BY member_id, category")).all()
    return [tuple(r) for r in stats], [tuple(r) for r in cats]


def check_handbuilt(store: MemberStore) -> None:
    with store.read() as conn:
        stats, cats = derived(conn)
        info = read_info(conn)
        tags = conn.execute(text(
            "SELECT member_id, dimension, tag FROM member_tags")).all()
        note = conn.execute(text("SELECT note FROM members WHERE member_id = 'M1'")).scalar()
    assert stats == STATS
    assert sorted(cats) == sorted(CATEGORIES)
    assert info["facts_as_of"] == FACTS_AS_OF
    assert sorted(tuple(t) for t in tags) == sorted([("M1", "偏好", "通勤风"),
                                                     ("M1", "消费", "高客单"),
                                                     ("M2", "消费", "价格敏感")])
    assert note == "周末一般有空,喜欢真丝面料"


def test_handbuilt_chain_on_duckdb(handbuilt_store: MemberStore) -> None:
    check_handbuilt(handbuilt_store)


@pytest.mark.postgres
def test_handbuilt_chain_on_postgresql(pg_url: str) -> None:
    store = MemberStore(pg_url)
    try:
        handbuilt.load(store)
        check_handbuilt(store)
    finally:
        store.close()


def test_every_write_rebuilds_them(handbuilt_store: MemberStore) -> None:
    late = pd.DataFrame([("T20", "M4", "S1", None, pd.Timestamp("2024-05-02 10:00"), 25.0, 1,
                          "store")], columns=handbuilt.TRANSACTIONS.columns)
    with handbuilt_store.write() as conn:
        insert_frame(conn, "transactions", late)
        conn.execute(text("DELETE FROM transactions WHERE tx_id IN ('T6', 'T10')"))
    with handbuilt_store.read() as conn:
        stats, _ = derived(conn)
        assert read_info(conn)["facts_as_of"] == "2024-05-02"
    members = [r[0] for r in stats]
    assert "M4" in members and "M6" not in members  # M6's only purchases were removed
    assert stats[members.index("M4")][3:] == (1, Decimal("25.00"))


def test_a_failed_write_leaves_them_as_they_were(handbuilt_store: MemberStore) -> None:
    with pytest.raises(RuntimeError), handbuilt_store.write() as conn:
        conn.execute(text("DELETE FROM transactions"))
        raise RuntimeError("crash mid-import")
    check_handbuilt(handbuilt_store)


def test_no_sales_means_empty_tables_and_no_date(tmp_path: Path) -> None:
    engine = create_engine(f"duckdb:///{tmp_path}/empty.duckdb")
    with engine.begin() as conn:
        for stmt in (s for m in load_migrations("duckdb") for s in m.statements):
            conn.exec_driver_sql(stmt)
        conn.execute(text("INSERT INTO dataset_info VALUES ('facts_as_of', '2020-01-01')"))
        assert refresh_derived(conn) is None
        assert derived(conn) == ([], [])
        assert "facts_as_of" not in read_info(conn)
    engine.dispose()


# ---- files made before migration 0002 ----------------------------------------------------
def _old_file(path: Path) -> str:
    """A database as version 0001 left it: no note, no tags, no derived tables."""
    url = f"duckdb:///{path}"
    first = load_migrations("duckdb")[0]
    assert first.version == 1
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(200) "
            "NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        for stmt in first.statements:
            conn.exec_driver_sql(stmt)
        conn.execute(text("INSERT INTO schema_migrations (version, name) VALUES (1, :n)"),
                     {"n": first.name})
        members = handbuilt.MEMBERS.drop(columns="note").assign(
            joined_at=pd.to_datetime(handbuilt.MEMBERS["joined_at"]), birthday=pd.NaT)
        insert_frame(conn, "members", members)
        insert_frame(conn, "transactions",
                     handbuilt.TRANSACTIONS.assign(ts=pd.to_datetime(handbuilt.TRANSACTIONS["ts"])))
        insert_frame(conn, "line_items", handbuilt.LINE_ITEMS)
    engine.dispose()
    return url


def test_a_file_from_before_0002_is_upgraded_on_first_read(tmp_path: Path) -> None:
    assert latest_version() >= 2
    store = MemberStore(_old_file(tmp_path / "old.duckdb"))
    with store.read() as conn:
        stats, cats = derived(conn)
        version = conn.execute(text("SELECT MAX(version) FROM schema_migrations")).scalar()
        notes = conn.execute(text("SELECT COUNT(note) FROM members")).scalar()
        tags = conn.execute(text("SELECT COUNT(*) FROM member_tags")).scalar()
        assert read_info(conn)["facts_as_of"] == FACTS_AS_OF
    assert version == latest_version()
    assert (notes, tags) == (0, 0)
    assert stats == STATS and sorted(cats) == sorted(CATEGORIES)
    # checked once per process: later reads do not even look, let alone write
    written = store.path.stat().st_mtime_ns
    with store.read() as conn:
        conn.execute(text("SELECT 1"))
    assert store.path.stat().st_mtime_ns == written
    store.close()


def test_the_version_is_checked_once_per_store(tmp_path: Path, monkeypatch) -> None:
    store = MemberStore(_old_file(tmp_path / "old.duckdb"))
    writes: list[bool] = []
    real = MemberStore.write

    def counting(self: MemberStore, *, fresh: bool = False):
        writes.append(fresh)
        return real(self, fresh=fresh)

    monkeypatch.setattr(MemberStore, "write", counting)
    for _ in range(3):
        with store.read():
            pass
        with MemberStore(store.url.render_as_string()).read():  # another object, same file
            pass
    assert writes == [False]
    assert store._key in store_module._CURRENT
    store.close()


@pytest.mark.postgres
def test_a_postgresql_database_from_before_0002_is_upgraded(pg_url: str) -> None:
    engine = create_engine(pg_url)
    first = load_migrations("postgresql")[0]
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(200) "
            "NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        for stmt in first.statements:
            conn.exec_driver_sql(stmt)
        conn.execute(text("INSERT INTO schema_migrations (version, name) VALUES (1, 'x')"))
        insert_frame(conn, "transactions",
                     handbuilt.TRANSACTIONS.assign(ts=pd.to_datetime(handbuilt.TRANSACTIONS["ts"])))
    engine.dispose()
    store = MemberStore(pg_url)
    try:
        with store.read() as conn:
            stats, _ = derived(conn)
            assert conn.execute(text("SELECT COUNT(*) FROM member_tags")).scalar() == 0
        assert stats == STATS
    finally:
        store.close()


def test_an_old_file_that_cannot_be_written_is_a_clear_error(tmp_path: Path,
                                                             monkeypatch) -> None:
    store = MemberStore(_old_file(tmp_path / "old.duckdb"))

    def read_only(self: MemberStore, *, fresh: bool = False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(MemberStore, "write", read_only)
    with pytest.raises(UserError, match="旧版本") as exc, store.read():
        pass
    assert "older version" in exc.value.en
    assert store._key not in store_module._CURRENT  # tried again next time
