"""The service over the small chain of tests/tools/chain.py, and console sign-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from copilot.api import create_app
from copilot.channels import identity
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.tools import chain

DAY = chain.TODAY.isoformat()
LOCAL = ("127.0.0.1", 50000)

Token = Callable[[str], str]
SignIn = Callable[[str], str]


@pytest.fixture
def token(settings: Settings, chain_store: MemberStore) -> Token:
    """token("E03") → a fresh console token, as `copilot staff token E03` prints it."""
    state = StateStore.from_settings(settings)
    return lambda staff_id: identity.issue_token(state, chain_store, staff_id)


@pytest.fixture
def client(settings: Settings, chain_store: MemberStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings), client=LOCAL) as c:
        yield c


@pytest.fixture
def sign_in(client: TestClient, token: Token) -> SignIn:
    """sign_in("E05") signs the test client in as that staff member; returns the token."""

    def _sign_in(staff_id: str) -> str:
        value = token(staff_id)
        done = client.post("/console/login", data={"token": value}, follow_redirects=False)
        assert done.status_code == 303, done.text
        return value

    return _sign_in
