"""With an LLM configured the model words the customer's reply under her hidden stance;
the offline policy still decides her mood, and a failing model falls back to its line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from copilot.config import Settings
from copilot.practice import coach, personas
from copilot.state.db import StateStore
from tests.support.openai_server import OpenAIServer, Reply

NOW = datetime(2026, 11, 25, 15, 0)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIServer]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    with OpenAIServer() as srv:
        yield srv


def _llm(settings: Settings, server: OpenAIServer) -> Settings:
    return settings.model_copy(update={"llm_provider": "openai", "llm_base_url": server.url,
                                       "llm_model": "test-model", "llm_api_key": "sk-test",
                                       "llm_timeout_s": 5})


def test_the_model_words_the_reply_in_the_persona(settings: Settings,
                                                  server: OpenAIServer) -> None:
    cfg = _llm(settings, server)
    state = StateStore.from_settings(cfg)
    started = coach.begin(state, "E07", scenario_id="phone_invitation",
                          persona_id="busy_office_worker", seed=2, now=NOW)
    server.script(Reply.text("哦,满500减80?那我周六看看时间。"))
    reply = coach.say(state, started.session_id, "这周六会员日,金卡满500减80", cfg)
    assert reply.text == "哦,满500减80?那我周六看看时间。" and reply.mood == "warm"
    [request] = server.chat_requests
    system = request.body["messages"][0]["content"]
    persona = personas.get("busy_office_worker")
    assert persona.stance in system and "开始有兴趣" in system  # the hidden stance, the mood
    assert request.body["messages"][-1]["content"] == "这周六会员日,金卡满500减80"


def test_a_failing_model_falls_back_to_the_offline_line(settings: Settings,
                                                        server: OpenAIServer) -> None:
    cfg = _llm(settings, server)
    state = StateStore.from_settings(cfg)
    started = coach.begin(state, "E07", scenario_id="phone_invitation",
                          persona_id="busy_office_worker", seed=2, now=NOW)
    server.script(*[Reply.http_error(500)] * 4)
    reply = coach.say(state, started.session_id, "这周六会员日,金卡满500减80", cfg)
    assert reply.text in personas.get("busy_office_worker").warm
