"""Where the member data came from, so demo data never lands on top of a user's own."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, text

DEMO_PREFIX = "demo"
IMPORT = "import"


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
