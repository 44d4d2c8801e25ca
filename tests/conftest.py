"""Shared test fixtures: a network guard, an isolated data dir, real PostgreSQL."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from copilot.config import Settings, get_settings
from copilot.data.store import MemberStore

pytest_plugins = [
    "tests.knowledge.fixtures",  # playbook folders and a Chroma server
    "tests.tools.fixtures",  # the small chain of tests/tools/chain.py, tool contexts
]

PG_ADMIN_URL = os.environ.get(
    "COPILOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _is_loopback(address: object) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    if not (isinstance(address, tuple) and address):
        return False
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost: not allowed either
        return False


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that leaves the machine; loopback and Unix sockets are fine."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(address: object) -> None:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")

    def connect(self: socket.socket, address: object) -> None:
        guard(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        guard(address)
        return real_connect_ex(self, address)

    def create_connection(address: tuple, *args: object, **kwargs: object) -> socket.socket:
        guard(address)
        return socket._real_create_connection(address, *args, **kwargs)  # type: ignore[attr-defined]

    if not hasattr(socket, "_real_create_connection"):
        socket._real_create_connection = socket.create_connection  # type: ignore[attr-defined]
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own COPILOT_DATA_DIR and no stray COPILOT_* settings."""
    for key in list(os.environ):
        if key.startswith("COPILOT_") and key not in ("COPILOT_REQUIRE_SERVICES",):
            monkeypatch.delenv(key, raising=False)
    path = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("COPILOT_DATA_DIR", str(path))
    return path


@pytest.fixture
def settings(data_dir) -> Settings:
    return get_settings()


@pytest.fixture
def handbuilt_store(settings: Settings) -> MemberStore:
    """The hand-built chain of tests/analytics/handbuilt.py in this test's data dir."""
    from tests.analytics import handbuilt

    store = MemberStore.from_settings(settings)
    handbuilt.load(store)
    return store


def _services_required() -> bool:
    return os.environ.get("COPILOT_REQUIRE_SERVICES", "") not in ("", "0", "false")


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The machine's PostgreSQL; skipped with a reason when absent, unless CI requires it."""
    engine = create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        if _services_required():
            pytest.fail(f"PostgreSQL required (COPILOT_REQUIRE_SERVICES=1) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    finally:
        engine.dispose()
    return PG_ADMIN_URL


@contextlib.contextmanager
def pg_schema_url(server_url: str) -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards."""
    schema = f"copilot_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{server_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    with pg_schema_url(pg_server) as url:
        yield url
