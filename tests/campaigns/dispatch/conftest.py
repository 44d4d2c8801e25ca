"""Fixtures for the dispatcher: no quiet hours unless a test sets them, state databases
(SQLite, and PostgreSQL when the machine has it), member data, and the machine's Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

from copilot.config import Settings, get_settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.dispatch.helpers import load_members
from tests.conftest import _services_required

REDIS_URL = os.environ.get("COPILOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(autouse=True)
def _no_quiet_hours(data_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run at any hour; quiet hours from 00:00 to 00:00 never apply. Subprocesses
    inherit it through the environment."""
    monkeypatch.setenv("COPILOT_CAMPAIGN_QUIET_START", "00:00")
    monkeypatch.setenv("COPILOT_CAMPAIGN_QUIET_END", "00:00")


@pytest.fixture
def state(settings: Settings) -> Iterator[StateStore]:
    store = StateStore.from_settings(settings)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_state(request: pytest.FixtureRequest, settings: Settings) -> Iterator[StateStore]:
    """The state database on SQLite and on PostgreSQL (skipped without a server)."""
    url = (settings.state_db_url if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    store = StateStore(url)
    yield store
    store.close()


@pytest.fixture
def members(settings: Settings) -> Iterator[MemberStore]:
    store = MemberStore.from_settings(settings)
    load_members(store, 40)
    yield store
    store.close()


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The machine's Redis; skipped with a reason when absent, unless CI requires it."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if _services_required():
            pytest.fail(f"Redis required (COPILOT_REQUIRE_SERVICES=1) but unreachable: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc.__class__.__name__}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def pg_settings(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose state database is a fresh PostgreSQL schema."""
    monkeypatch.setenv("COPILOT_STATE_URL", pg_url)
    return get_settings()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch):
    """configure(CAMPAIGN_DAILY_CAP="1", …) → Settings with those COPILOT_* variables set
    (they reach worker subprocesses too)."""

    def _configure(**env: str) -> Settings:
        for key, value in env.items():
            monkeypatch.setenv(f"COPILOT_{key}", value)
        return get_settings()

    return _configure
