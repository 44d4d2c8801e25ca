"""Platform users linked to staff, and console tokens kept only as hashes."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from copilot.channels import identity
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.state.db import StateStore


@pytest.fixture
def state(settings: Settings, chain_store: MemberStore) -> StateStore:
    return StateStore.from_settings(settings)


def test_link_relink_and_unlink(state: StateStore, chain_store: MemberStore) -> None:
    assert identity.link(state, chain_store, "slack", " U1 ", "e03") == "E03"
    assert identity.staff_for(state, "slack", "U1") == "E03"
    assert identity.staff_for(state, "wecom", "U1") is None  # per channel
    identity.link(state, chain_store, "slack", "U1", "E05")  # re-link replaces
    assert identity.staff_for(state, "slack", "U1") == "E05"
    assert [r["staff_id"] for r in identity.links(state)] == ["E05"]
    assert identity.unlink(state, "slack", "U1") and not identity.unlink(state, "slack", "U1")
    assert identity.staff_for(state, "slack", "U1") is None


@pytest.mark.parametrize(("channel", "external", "staff", "message"), [
    ("qq", "U1", "E03", "不认识的渠道"),
    ("slack", "", "E03", "平台用户 ID"),
    ("slack", "U 1", "E03", "平台用户 ID"),
    ("slack", "U1", "E99", "找不到员工编号"),
])
def test_bad_links_are_refused_and_nothing_is_written(state: StateStore, chain_store,
                                                      channel, external, staff,
                                                      message) -> None:
    with pytest.raises(UserError, match=message):
        identity.link(state, chain_store, channel, external, staff)
    assert identity.links(state) == []


def test_console_tokens_are_hashed_and_revocable(state: StateStore,
                                                 chain_store: MemberStore) -> None:
    token = identity.issue_token(state, chain_store, "e05")
    assert identity.staff_for_token(state, token) == "E05"
    with state.begin() as conn:
        stored = conn.execute(text("SELECT token_hash FROM console_tokens")).scalars().all()
    assert token not in stored and len(stored[0]) == 64
    assert identity.staff_for_token(state, token + "x") is None
    assert identity.staff_for_token(state, "") is None
    assert identity.revoke_tokens(state, "E05") == 1
    assert identity.staff_for_token(state, token) is None
    with pytest.raises(UserError, match="找不到员工编号"):
        identity.issue_token(state, chain_store, "E99")
