"""The agent's policies as files: the system prompt and the answer style."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def policy(name: str) -> str:
    return (resources.files(__name__) / f"{name}.md").read_text(encoding="utf-8").strip()


def system_prompt() -> str:
    return policy("system_prompt") + "\n\n" + policy("answer_style")
