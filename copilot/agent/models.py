"""The chat model behind the agent, chosen by configuration.

One agent loop runs over whichever model this returns: the built-in offline model (no
network, deterministic), or any endpoint speaking OpenAI's chat-completions protocol.
Tests pass their own scripted model to `build_agent` instead.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.errors import UserError


def build_chat_model(settings: Settings, members: MemberStore | None = None) -> BaseChatModel:
    """The configured model; nothing is contacted until the first turn. The offline model
    reads store names, tags and staff from `members`."""
    if settings.llm_provider == "openai":
        return _openai(settings)
    from copilot.agent.offline.model import OfflineChatModel
    from copilot.agent.offline.vocab import VocabularySource

    source = VocabularySource.from_store(members) if members else VocabularySource()
    return OfflineChatModel(vocabulary=source)


def _openai(settings: Settings) -> BaseChatModel:
    if not settings.llm_base_url:
        raise UserError(
            "COPILOT_LLM_PROVIDER=openai 需要 COPILOT_LLM_BASE_URL(如 https://api.deepseek.com/v1)"
            "和 COPILOT_LLM_MODEL。",
            "COPILOT_LLM_PROVIDER=openai needs COPILOT_LLM_BASE_URL and COPILOT_LLM_MODEL.")
    from langchain_openai import ChatOpenAI  # heavy import, only when this provider is used

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        # Local servers (Ollama, vLLM) take any key; the client insists on one.
        api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
        temperature=0,
        timeout=settings.llm_timeout_s,
        max_retries=1,
        streaming=True,
        stream_usage=True,
    )
