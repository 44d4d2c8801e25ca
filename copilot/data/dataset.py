"""Where the member data came from, so demo data never lands on top of a user's own."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection, text

DEMO_PREFIX = "demo"
IMPORT = "import"
DATA_VERSION = "data_version"  # changes with every write (copilot/data/derived.py)
FACTS_AS_OF = "facts_as_of"  # last transaction day the derived tables cover


def read_info(conn: Connection) -> dict[str, str]:
    return {k: v for k, v in conn.execute(text("SELECT key, value FROM dataset_info"))}


def set_info(conn: Connection, **values: str) -> None:
    for key, value in values.items():
        conn.execute(text("DELETE FROM dataset_info WHERE key = :k"), {"k": key})
        conn.execute(
            text("INSERT INTO dataset_info (key, value) VALUES (:k, :v)"), {"k": key, "v": value}
        )


def mark_demo(conn: Connection, size: str, seed: int, end: str) -> None:
    set_info(conn, source=f"{DEMO_PREFIX}:{size}", seed=str(seed), demo_end=end,
             updated_at=_now())


def mark_import(conn: Connection) -> None:
    """Any import turns the dataset into the user's own data, even on top of a demo."""
    set_info(conn, source=IMPORT, updated_at=_now())


def holds_imported_data(info: dict[str, str]) -> bool:
    return info.get("source") == IMPORT


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def info_value(conn: Connection, key: str) -> str | None:
    row = conn.execute(text("SELECT value FROM dataset_info WHERE key = :k"), {"k": key}).first()
    return row[0] if row else None


def data_version(conn: Connection) -> str | None:
    """An id that changes with every write (None for data written before versions).

    A DuckDB read-only connection is bound to one snapshot file for its whole life, so its
    version is read once; writers' and PostgreSQL connections see changes, so they ask.
    """
    snapshot = conn.info.get("snapshot", False)  # set on connect by the store (store.py)
    if snapshot and "data_version" in conn.info:
        return conn.info["data_version"]
    version = info_value(conn, DATA_VERSION)
    if snapshot:
        conn.info["data_version"] = version
    return version


def data_range(conn: Connection) -> tuple[date, date] | None:
    """First and last purchase day, so commands can warn about periods outside the data."""
    first, last = conn.execute(text("SELECT MIN(ts), MAX(ts) FROM transactions")).one()
    return None if first is None else (first.date(), last.date())


def outside_warning(conn: Connection, start: date, end: date) -> str | None:
    span = data_range(conn)
    if span is None:
        return "注意:还没有任何交易数据,结果都是 0 或空。"
    first, last = span
    if start >= first and end <= last:
        return None
    return (f"注意:交易数据覆盖 {first} ~ {last},所选时间 {start} ~ {end} "
            "有部分或全部在范围之外,相关指标会偏低或为空。")
