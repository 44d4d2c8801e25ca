"""Conversations with the real agent loop over the small chain of tests/tools/chain.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel

from copilot.agent.service import Copilot
from copilot.agent.turn import TurnResult
from copilot.config import Settings
from copilot.data.store import MemberStore
from tests.support.openai_server import OpenAIServer
from tests.tools import chain

Talk = Callable[..., list[TurnResult]]


def converse(settings: Settings, turns: list[tuple[str, str]], *, thread: str = "t1",
             direct: bool = False, model: BaseChatModel | None = None, today=chain.TODAY,
             channel: str = "test") -> list[TurnResult]:
    """Each (staff id, message) in order, in one thread, through one Copilot."""

    async def run() -> list[TurnResult]:
        async with Copilot.open(settings, model=model) as copilot:
            return [await copilot.turn(text, staff_id=who, thread=thread, channel=channel,
                                       direct=direct, today=today) for who, text in turns]

    return asyncio.run(run())


@pytest.fixture
def talk(settings: Settings, chain_store: MemberStore) -> Talk:
    """talk("E01", "朝阳店上个月复购率", "那区域平均呢") → one TurnResult per message."""

    def _talk(staff_id: str, *messages: str, **kw: Any) -> list[TurnResult]:
        return converse(kw.pop("settings", settings), [(staff_id, m) for m in messages], **kw)

    return _talk


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIServer]:
    """A local server speaking OpenAI's chat-completions protocol over real HTTP."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):  # a proxy would not reach loopback
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    with OpenAIServer() as srv:
        yield srv
    assert not srv.errors, srv.errors[0]


@pytest.fixture
def llm(settings: Settings, chain_store: MemberStore, server: OpenAIServer) -> Settings:
    """Settings for the `openai` provider pointed at the local server, over the test chain."""
    return settings.model_copy(update={"llm_provider": "openai", "llm_base_url": server.url,
                                       "llm_model": "test-model", "llm_api_key": "sk-test"})
