"""Tool contexts over the small chain of tests/tools/chain.py, as any user."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from copilot.config import Settings
from copilot.data.access import Caller, load_user
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.tools import chain
from tools.base import ToolContext
from tools.runner import ToolOutcome, run_tool

Ask = Callable[..., ToolOutcome]


@pytest.fixture
def chain_store(settings: Settings) -> MemberStore:
    store = MemberStore.from_settings(settings)
    chain.load(store)
    return store


def make_ctx(settings: Settings, members: MemberStore, staff_id: str, *, direct: bool = False,
             today=chain.TODAY) -> ToolContext:
    with members.read() as conn:
        user = load_user(conn, staff_id)
    return ToolContext(settings, members, StateStore.from_settings(settings),
                       Caller(user, direct=direct, channel="test"), today=today)


@pytest.fixture
def ask(settings: Settings, chain_store: MemberStore) -> Ask:
    """ask("E01", "query_members", {...}, direct=False) → the tool's outcome."""

    def _ask(staff_id: str, tool: str, args: dict | str | None = None, *,
             direct: bool = False, today=chain.TODAY) -> ToolOutcome:
        ctx = make_ctx(settings, chain_store, staff_id, direct=direct, today=today)
        return run_tool(ctx, tool, args or {})

    return _ask
